// The default world: hosts, images, regions. Documented in docs/simulator.md.

/** The token of the demo tenant (always accepted unless `tokens` is given without it). */
export const DEMO_TOKEN = 'autodl-sim-demo-token';
/** A private image every tenant owns. */
export const DEMO_IMAGE_UUID = 'image-6b5ad2b1ce';
export const DEMO_IMAGE_NAME = 'pytorch-2.1-cuda11.8';

export interface HostConfig {
  machine_id: string;
  data_center: string;
  gpu_name: string;
  gpu_num: number;
  cpu_num: number;
  memory_gb: number;
  /** highest CUDA code the driver supports, e.g. 122 */
  max_cuda: number;
  /** milli-yuan per GPU per hour */
  price_per_gpu: number;
}

function h(
  machine_id: string,
  data_center: string,
  gpu_name: string,
  gpu_num: number,
  cpu_num: number,
  memory_gb: number,
  max_cuda: number,
  price_per_gpu: number,
): HostConfig {
  return { machine_id, data_center, gpu_name, gpu_num, cpu_num, memory_gb, max_cuda, price_per_gpu };
}

/**
 * Default preset: 14 hosts, 108 GPUs. Per-GPU unit = cpu_num/gpu_num cores + memory_gb/gpu_num GB.
 * RTX 4090 D hosts have a small unit (12 cores, 15 GB): a 16 GB memory floor cannot be met with
 * one GPU there (as observed on the real platform), 8 GB can.
 */
export const DEFAULT_HOSTS: readonly HostConfig[] = [
  h('a1f3c2e901', 'westDC2', 'RTX 4090', 8, 128, 720, 122, 1980),
  h('a1f3c2e902', 'westDC2', 'RTX 4090', 8, 128, 720, 122, 1980),
  h('b7d40c1a03', 'westDC3', 'RTX 3090', 8, 128, 720, 120, 1320),
  h('c2e9b4d104', 'beijingDC1', 'RTX 4090', 8, 112, 480, 124, 2080),
  h('c2e9b4d105', 'beijingDC2', 'RTX 3090', 8, 128, 720, 118, 1200),
  h('c2e9b4d106', 'beijingDC3', 'A800-80GB', 8, 112, 960, 122, 4000),
  h('c2e9b4d107', 'beijingDC4', 'A800-80GB', 4, 56, 480, 122, 3800),
  h('d5a8e0f208', 'neimengDC1', 'RTX 4090 D', 8, 96, 120, 122, 1880),
  h('d5a8e0f209', 'neimengDC1', 'RTX 4090 D', 8, 96, 120, 122, 1880),
  h('d5a8e0f210', 'neimengDC3', 'RTX 2080 Ti', 8, 64, 256, 116, 1000),
  h('e4c6a9b311', 'foshanDC1', 'RTX 4090', 8, 128, 720, 122, 1980),
  h('f0b2d7c412', 'chongqingDC1', 'RTX 3090', 8, 96, 360, 117, 1100),
  h('f0b2d7c413', 'yangzhouDC1', 'L20', 8, 128, 720, 124, 2500),
  h('f0b2d7c414', 'yangzhouDC1', 'RTX 4090', 4, 64, 360, 122, 1900),
];

/**
 * region_sign → data centres (endpoint 13). A region_sign may also be a data-centre id itself.
 */
export const REGIONS: Readonly<Record<string, readonly string[]>> = {
  west: ['westDC2', 'westDC3'],
  beijing: ['beijingDC1', 'beijingDC2', 'beijingDC3', 'beijingDC4'],
  neimeng: ['neimengDC1', 'neimengDC3'],
  foshan: ['foshanDC1'],
  chongqing: ['chongqingDC1'],
  yangzhou: ['yangzhouDC1'],
};

export interface SystemImageSeed {
  name: string;
  cuda_version: string;
  framework: string;
}

/** Base images (endpoint 14), the same for every tenant. */
export const SYSTEM_IMAGES: readonly SystemImageSeed[] = [
  { name: 'pytorch/2.5.1/3.12(ubuntu22.04)/12.4', cuda_version: '12.4', framework: 'PyTorch' },
  { name: 'pytorch/2.3.0/3.12(ubuntu22.04)/12.1', cuda_version: '12.1', framework: 'PyTorch' },
  { name: 'pytorch/2.1.2/3.10(ubuntu22.04)/12.1', cuda_version: '12.1', framework: 'PyTorch' },
  { name: 'pytorch/2.1.0/3.10(ubuntu22.04)/11.8', cuda_version: '11.8', framework: 'PyTorch' },
  { name: 'pytorch/2.0.0/3.8(ubuntu20.04)/11.8', cuda_version: '11.8', framework: 'PyTorch' },
  { name: 'pytorch/1.11.0/3.8(ubuntu20.04)/11.3', cuda_version: '11.3', framework: 'PyTorch' },
  { name: 'tensorflow/2.9.0/3.8(ubuntu20.04)/11.2', cuda_version: '11.2', framework: 'TensorFlow' },
  { name: 'tensorflow/1.15.5/3.8(ubuntu20.04)/11.4', cuda_version: '11.4', framework: 'TensorFlow' },
  { name: 'jax/0.4.23/3.10(ubuntu22.04)/12.2', cuda_version: '12.2', framework: 'JAX' },
  { name: 'miniconda/conda3/3.10(ubuntu22.04)/11.8', cuda_version: '11.8', framework: 'Miniconda' },
  { name: 'miniconda/conda3/3.10(ubuntu22.04)/12.1', cuda_version: '12.1', framework: 'Miniconda' },
  { name: 'paddlepaddle/2.5.2/3.10(ubuntu22.04)/12.0', cuda_version: '12.0', framework: 'PaddlePaddle' },
];

/** Extra private images seeded for every tenant besides the demo image (uuids differ per tenant). */
export const TENANT_IMAGE_NAMES: readonly string[] = ['llama-finetune-v3', 'sd-webui-1.9'];
