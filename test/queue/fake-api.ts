// A scriptable in-process fake of the QueueApi slice (unit tests only; end-to-end tests use the simulator).
import { ApiError } from '../../src/errors.js';
import type { Deployment, PrivateImage, Stock, CreateDeploymentBody } from '../../src/api/types.js';
import type { QueueApi } from '../../src/queue/index.js';

export type CreateBehaviour = 'ok' | 'lost_reply' | 'reject' | 'refused' | 'rate_limited' | 'network_not_applied' | ((body: CreateDeploymentBody) => void);

export class FakeApi implements QueueApi {
  stockNow: Stock;
  images: QueueApi['images'];
  deployments: QueueApi['deployments'];
  stock: QueueApi['stock'];
  readonly created: Deployment[] = [];
  readonly createCalls: CreateDeploymentBody[] = [];
  stockCalls = 0;
  listCalls = 0;
  /** Consumed one per create call; when empty, `defaultCreate`. */
  script: CreateBehaviour[] = [];
  defaultCreate: CreateBehaviour = 'ok';
  /** Take the GPUs of a created deployment off the stock (first listed type with enough idle). */
  consumeStock = true;
  failList = false;
  failStock = false;
  /** Name filter semantics of the fake platform: substring (so exact filtering must happen client-side). */
  private n = 0;

  constructor(stock: Stock, images: string[] = ['img-1']) {
    this.stockNow = stock;
    const imgs: PrivateImage[] = images.map((u, i) => ({ id: i + 1, image_uuid: u, name: `image ${i + 1}`, status: 'finished' }));
    this.images = {
      listAll: async function* () {
        yield* imgs;
      },
    };
    this.stock = {
      get: async () => {
        this.stockCalls++;
        if (this.failStock) throw new ApiError('stock down', { kind: 'http', method: 'GET', path: '/stock', httpStatus: 503 });
        return structuredClone(this.stockNow);
      },
    };
    const self = this;
    this.deployments = {
      create: async (body: CreateDeploymentBody) => {
        self.createCalls.push(structuredClone(body));
        const b = self.script.length ? self.script.shift()! : self.defaultCreate;
        const fail = (msg: string, info: Partial<ApiError['info']>) => {
          throw new ApiError(msg, { kind: 'envelope', method: 'POST', path: '/api/v1/dev/deployment', ...info });
        };
        if (b === 'reject') fail('refused', { code: 'BadRequest', msg: '暂无库存' });
        if (b === 'refused') fail('connection refused', { kind: 'refused' });
        if (b === 'rate_limited') fail('429', { kind: 'http', httpStatus: 429 });
        if (b === 'network_not_applied') fail('reset before send', { kind: 'network', mayHaveApplied: false });
        if (typeof b === 'function') b(body);
        const d = self.commit(body);
        if (b === 'lost_reply') fail('socket hang up', { kind: 'network', mayHaveApplied: true });
        return { deployment_uuid: d.uuid };
      },
      listAll: async function* (filter?: { name?: string }) {
        self.listCalls++;
        if (self.failList) throw new ApiError('list down', { kind: 'http', method: 'POST', path: '/list', httpStatus: 503 });
        for (const d of self.created) if (!filter?.name || d.name.includes(filter.name)) yield structuredClone(d);
      },
    };
  }

  commit(body: CreateDeploymentBody): Deployment {
    const t = body.container_template;
    if (this.consumeStock) {
      const ty = t.gpu_name_set.find((x) => (this.stockNow[x]?.idle ?? 0) >= t.gpu_num);
      if (ty) this.stockNow[ty]!.idle -= t.gpu_num;
    }
    const d: Deployment = {
      uuid: `dep-${++this.n}`,
      name: body.name,
      deployment_type: body.deployment_type,
      status: 'running',
      replica_num: body.replica_num ?? 1,
      parallelism_num: body.parallelism_num ?? 1,
      reuse_container: false,
      starting_num: 1,
      running_num: 0,
      finished_num: 0,
      failed_num: 0,
      price_estimates: 0,
      image_uuid: t.image_uuid,
      template: {},
      created_at: new Date(1_700_000_000_000 + this.n).toISOString(),
      stopped_at: null,
    };
    this.created.push(d);
    return d;
  }

  countByPrefix(name: string): number {
    return this.created.filter((d) => d.name === name).length;
  }
}

export function body(over: Partial<CreateDeploymentBody> = {}, tpl: Partial<CreateDeploymentBody['container_template']> = {}): CreateDeploymentBody {
  return {
    name: 'job',
    deployment_type: 'Job',
    replica_num: 1,
    parallelism_num: 1,
    ...over,
    container_template: {
      gpu_name_set: ['RTX 4090'],
      gpu_num: 1,
      cuda_v: 118,
      cpu_num_from: 1,
      cpu_num_to: 100,
      memory_size_from: 1,
      memory_size_to: 256,
      price_from: 10,
      price_to: 9000,
      image_uuid: 'img-1',
      cmd: 'python train.py',
      ...tpl,
    },
  };
}

/** A manual clock: now() and a sleep that advances it. */
export function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) return;
      t += ms;
    },
  };
}
