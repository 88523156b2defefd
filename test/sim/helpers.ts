// Test helpers: plain fetch against a simulator on loopback.
import { startSimulator, DEMO_TOKEN, DEMO_IMAGE_UUID, type SimOptions, type Simulator } from '../../src/sim/index.js';
import type { Envelope } from '../../src/api/types.js';

export { DEMO_TOKEN, DEMO_IMAGE_UUID };

export interface Reply<T = unknown> {
  status: number;
  body: Envelope<T>;
  headers: Headers;
}

export class Api {
  constructor(
    readonly url: string,
    readonly token: string | undefined = DEMO_TOKEN,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<Reply<T>> {
    const u = new URL(path, this.url);
    for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token !== undefined) headers.authorization = this.token;
    const res = await fetch(u, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as Envelope<T>, headers: res.headers };
  }

  /** Call and require Success; returns data. */
  async ok<T = unknown>(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<T> {
    const r = await this.call<T>(method, path, body, query);
    if (r.status !== 200 || r.body.code !== 'Success') {
      throw new Error(`${method} ${path} → HTTP ${r.status} ${r.body.code} ${r.body.msg}`);
    }
    return r.body.data;
  }

  withToken(token: string | undefined): Api {
    return new Api(this.url, token);
  }
}

export async function withSim(opts: SimOptions, fn: (sim: Simulator, api: Api) => Promise<void>): Promise<void> {
  const sim = await startSimulator(opts);
  try {
    await fn(sim, new Api(sim.url, opts.tokens?.[0] ?? DEMO_TOKEN));
  } finally {
    await sim.close();
  }
}

export const P = {
  images: '/api/v1/dev/image/private/list',
  create: '/api/v1/dev/deployment',
  list: '/api/v1/dev/deployment/list',
  events: '/api/v1/dev/deployment/container/event/list',
  containers: '/api/v1/dev/deployment/container/list',
  stopContainer: '/api/v1/dev/deployment/container/stop',
  replicas: '/api/v1/dev/deployment/replica_num',
  operate: '/api/v1/dev/deployment/operate',
  del: '/api/v1/dev/deployment',
  blacklist: '/api/v1/dev/deployment/blacklist',
  stock: '/api/v1/dev/machine/gpu_stock',
  regionStock: '/api/v1/dev/machine/region/gpu_stock',
  sysImages: '/api/v2/image/list',
  ddp: '/api/v1/dev/deployment/ddp/overview',
} as const;

export function privateBody(over: Record<string, unknown> = {}, tpl: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'job-a',
    deployment_type: 'Job',
    replica_num: 1,
    parallelism_num: 1,
    ...over,
    container_template: {
      gpu_name_set: ['RTX 4090'],
      gpu_num: 1,
      cuda_v: 118,
      image_uuid: DEMO_IMAGE_UUID,
      cmd: 'sleep 30',
      ...tpl,
    },
  };
}

export function publicBody(over: Record<string, unknown> = {}, tpl: Record<string, unknown> = {}): Record<string, unknown> {
  const b = privateBody(over, tpl);
  const t = { ...(b.container_template as Record<string, unknown>) };
  delete t.cuda_v;
  return { ...b, container_template: { cuda_v_from: 118, cuda_v_to: 128, dc_list: ['westDC2', 'beijingDC1'], ...t, ...tpl } };
}
