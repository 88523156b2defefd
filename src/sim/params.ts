// Request parameters with platform-style validation: every problem becomes a SimError
// (code InvalidParameter, msg 请求参数错误: …), never an exception of another kind.
// Values from a query string arrive as text and are coerced; values from a JSON body must
// already have the right type.

import type { DeploymentType, Dialect } from '../api/types.js';
import { CUDA_CODES } from '../api/types.js';
import { invalid, type CreateInput, type NormTemplate, type ContainerFilter, type StockFilter } from './world.js';
import { parseTime } from './util.js';

export type Source = 'query' | 'body';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export class Params {
  constructor(
    readonly data: Record<string, unknown>,
    readonly source: Source,
    private readonly prefix = '',
    /** the HTTP method of the request (handlers that answer GET differently) */
    readonly method = 'POST',
  ) {}

  static of(v: unknown, source: Source, prefix = '', method = 'POST'): Params {
    if (!isRecord(v)) throw invalid(`${prefix || 'body'} 必须是对象`);
    return new Params(v, source, prefix, method);
  }

  private label(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  has(key: string): boolean {
    const v = this.data[key];
    return v !== undefined && v !== null;
  }

  str(key: string, required: true): string;
  str(key: string, required?: false): string | undefined;
  str(key: string, required = false): string | undefined {
    const v = this.data[key];
    if (v === undefined || v === null) {
      if (required) throw invalid(`缺少 ${this.label(key)}`);
      return undefined;
    }
    if (typeof v !== 'string') throw invalid(`${this.label(key)} 必须是字符串`);
    if (required && v.trim() === '') throw invalid(`${this.label(key)} 不能为空`);
    return v;
  }

  num(key: string, opts: { required?: boolean; int?: boolean | undefined; min?: number; max?: number } = {}): number | undefined {
    let v = this.data[key];
    if (v === undefined || v === null || (this.source === 'query' && v === '')) {
      if (opts.required) throw invalid(`缺少 ${this.label(key)}`);
      return undefined;
    }
    if (this.source === 'query' && typeof v === 'string') v = Number(v);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`${this.label(key)} 必须是数字`);
    if (opts.int && !Number.isInteger(v)) throw invalid(`${this.label(key)} 必须是整数`);
    if (opts.min !== undefined && v < opts.min) throw invalid(`${this.label(key)} 不能小于 ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) throw invalid(`${this.label(key)} 不能大于 ${opts.max}`);
    return v;
  }

  int(key: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    return this.num(key, { ...opts, int: true });
  }

  bool(key: string): boolean | undefined {
    const v = this.data[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    if (this.source === 'query' && typeof v === 'string') {
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
    }
    throw invalid(`${this.label(key)} 必须是布尔值`);
  }

  strList(key: string, opts: { required?: boolean; nonEmpty?: boolean } = {}): string[] | undefined {
    let v = this.data[key];
    if (v === undefined || v === null) {
      if (opts.required) throw invalid(`缺少 ${this.label(key)}`);
      return undefined;
    }
    if (typeof v === 'string' && this.source === 'query') v = v.split(',').filter((x) => x !== '');
    if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
      throw invalid(`${this.label(key)} 必须是字符串列表`);
    }
    if (opts.nonEmpty && v.length === 0) throw invalid(`${this.label(key)} 不能为空`);
    return v;
  }

  obj(key: string): Params {
    const v = this.data[key];
    if (v === undefined || v === null) throw invalid(`缺少 ${this.label(key)}`);
    return Params.of(v, this.source, this.label(key));
  }

  /**
   * Paging. `page_index: 0` is accepted and read as the first page (recorded: a public client
   * sends 0 on the event list and gets Success); `page` is taken when `page_index` is absent
   * (some clients send it).
   */
  page(): { page_index: number; page_size: number; offset: number } {
    const idx = this.int('page_index', { min: 0 }) ?? this.int('page', { min: 0 }) ?? 1;
    return {
      page_index: Math.max(1, idx),
      page_size: this.int('page_size', { min: 1, max: 10000 }) ?? 10,
      offset: this.int('offset', { min: 0 }) ?? 0,
    };
  }
}

function range(p: Params, from: string, to: string, opts: { int?: boolean; zeroIsNone?: boolean } = {}): [number | undefined, number | undefined] {
  let a = p.num(from, { min: 0, int: opts.int });
  let b = p.num(to, { min: 0, int: opts.int });
  if (opts.zeroIsNone) {
    if (a === 0) a = undefined;
    if (b === 0) b = undefined;
  }
  if (a !== undefined && b !== undefined && a > b) throw invalid(`${from} 不能大于 ${to}`);
  return [a, b];
}

const TYPES: readonly DeploymentType[] = ['ReplicaSet', 'Job', 'Container'];

/** Validate a create body (endpoint 2) for the dialect. Accepts either CUDA form in both dialects. */
export function parseCreate(body: Params, dialect: Dialect): CreateInput {
  const name = body.str('name', true);
  const typeRaw = body.str('deployment_type', true);
  if (!TYPES.includes(typeRaw as DeploymentType)) throw invalid(`deployment_type 必须是 ${TYPES.join(' / ')}`);
  const type = typeRaw as DeploymentType;
  let replica = 1;
  let parallelism = 1;
  if (type === 'ReplicaSet' || type === 'Job') {
    replica = body.int('replica_num', { required: true, min: 1 })!;
    parallelism = replica;
  }
  if (type === 'Job') parallelism = body.int('parallelism_num', { min: 1 }) ?? replica;
  const reuse = body.bool('reuse_container') ?? false;
  const scopeRaw = body.str('reuse_container_scope');
  if (scopeRaw !== undefined && scopeRaw !== 'all' && scopeRaw !== 'deployment') throw invalid('reuse_container_scope 必须是 all / deployment');
  const tp = body.obj('container_template');
  const gpuNames = tp.strList('gpu_name_set', { required: true, nonEmpty: true })!;
  const gpuNum = tp.int('gpu_num', { required: true, min: 1 })!;
  const cudaV = tp.int('cuda_v', { min: 0 });
  const cudaFrom = tp.int('cuda_v_from', { min: 0 });
  const cudaTo = tp.int('cuda_v_to', { min: 0 });
  if (cudaFrom !== undefined && cudaTo !== undefined && cudaFrom > cudaTo) throw invalid('cuda_v_from 不能大于 cuda_v_to');
  let cudaMin: number | undefined;
  if (dialect === 'private') cudaMin = cudaV ?? cudaFrom;
  else cudaMin = cudaFrom ?? cudaV;
  if (cudaMin === undefined) throw invalid(dialect === 'private' ? '缺少 container_template.cuda_v' : '缺少 container_template.cuda_v_from');
  // cuda_v 0 = no CUDA constraint (busstop12: what the console sends with a system image)
  if (cudaMin !== 0 && !(CUDA_CODES as readonly number[]).includes(cudaMin) && (cudaMin < 100 || cudaMin > 200)) {
    throw invalid(`container_template CUDA 版本 ${cudaMin} 无效 (例如 118 = CUDA 11.8)`);
  }
  let dcList: string[] | undefined;
  if (dialect === 'public') dcList = tp.strList('dc_list', { required: true, nonEmpty: true });
  else {
    const d = tp.strList('dc_list');
    dcList = d && d.length > 0 ? d : undefined;
  }
  const [cpuFrom, cpuTo] = range(tp, 'cpu_num_from', 'cpu_num_to');
  const [memFrom, memTo] = range(tp, 'memory_size_from', 'memory_size_to');
  const [priceFrom, priceTo] = range(tp, 'price_from', 'price_to');
  const imageUuid = tp.str('image_uuid', true);
  const cmd = tp.str('cmd', true);
  const cmdBeforeShutdown = tp.str('cmd_before_shutdown');
  for (const k of ['service_6006_port_protocol', 'service_6008_port_protocol']) {
    const v = tp.str(k);
    if (v !== undefined && v !== 'http' && v !== 'tcp') throw invalid(`${k} 必须是 http / tcp`);
  }
  const template: NormTemplate = {
    gpuNames,
    gpuNum,
    cudaMin,
    ...(dialect === 'public' && cudaTo !== undefined ? { cudaMax: cudaTo } : {}),
    ...(dcList ? { dcList } : {}),
    ...(cpuFrom !== undefined ? { cpuFrom } : {}),
    ...(cpuTo !== undefined ? { cpuTo } : {}),
    ...(memFrom !== undefined ? { memFrom } : {}),
    ...(memTo !== undefined ? { memTo } : {}),
    ...(priceFrom !== undefined ? { priceFrom } : {}),
    ...(priceTo !== undefined ? { priceTo } : {}),
    imageUuid,
    cmd,
    ...(cmdBeforeShutdown ? { cmdBeforeShutdown } : {}),
  };
  return {
    name,
    deployment_type: type,
    replica_num: replica,
    parallelism_num: parallelism,
    reuse_container: reuse,
    reuse_container_scope: scopeRaw === 'deployment' ? 'deployment' : 'all',
    template,
    rawTemplate: { ...tp.data },
  };
}

/** memory_size filters: values below 1 MiB are read as GB, larger ones as bytes (forgiving). */
function memBytes(v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  return v < 1024 * 1024 ? v * 1024 ** 3 : v;
}

export function parseContainerFilter(p: Params): ContainerFilter {
  const f: ContainerFilter = {};
  const cu = p.str('container_uuid');
  if (cu !== undefined) f.container_uuid = cu;
  for (const k of ['date_from', 'date_to'] as const) {
    const s = p.str(k);
    if (s !== undefined && s !== '') {
      const t = parseTime(s);
      if (t === undefined) throw invalid(`${k} 不是有效的时间`);
      f[k] = t;
    }
  }
  const g = p.str('gpu_name');
  if (g !== undefined) f.gpu_name = g;
  // 0 and "" mean "no filter" (recorded: Rookie-Package/autodl sends every range at 0)
  const [cf, ct] = range(p, 'cpu_num_from', 'cpu_num_to', { zeroIsNone: true });
  if (cf !== undefined) f.cpu_num_from = cf;
  if (ct !== undefined) f.cpu_num_to = ct;
  const [mf, mt] = range(p, 'memory_size_from', 'memory_size_to', { zeroIsNone: true });
  const mfb = memBytes(mf);
  const mtb = memBytes(mt);
  if (mfb !== undefined) f.memory_from_bytes = mfb;
  if (mtb !== undefined) f.memory_to_bytes = mtb;
  const [pf, pt] = range(p, 'price_from', 'price_to', { zeroIsNone: true });
  if (pf !== undefined) f.price_from = pf;
  if (pt !== undefined) f.price_to = pt;
  const rel = p.bool('released');
  if (rel !== undefined) f.released = rel;
  const st = p.strList('status');
  if (st !== undefined) f.status = st.filter((x) => x !== '');
  return f;
}

/** Region-stock filters (endpoint 13); 0 / empty = no filter. */
export function parseStockFilter(p: Params): StockFilter {
  const f: StockFilter = {};
  const names = p.strList('gpu_name_set');
  if (names && names.length > 0) f.gpuNames = names;
  const [cudaFrom] = range(p, 'cuda_v_from', 'cuda_v_to', { int: true, zeroIsNone: true });
  const cudaV = p.int('cuda_v', { min: 0 });
  const c = cudaFrom ?? (cudaV === 0 ? undefined : cudaV);
  if (c !== undefined) f.cudaFrom = c;
  const [cf, ct] = range(p, 'cpu_num_from', 'cpu_num_to', { zeroIsNone: true });
  const [mf, mt] = range(p, 'memory_size_from', 'memory_size_to', { zeroIsNone: true });
  const [pf, pt] = range(p, 'price_from', 'price_to', { zeroIsNone: true });
  if (cf !== undefined) f.cpuFrom = cf;
  if (ct !== undefined) f.cpuTo = ct;
  if (mf !== undefined) f.memFrom = mf;
  if (mt !== undefined) f.memTo = mt;
  if (pf !== undefined) f.priceFrom = pf;
  if (pt !== undefined) f.priceTo = pt;
  return f;
}
