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
 * Private-dialect preset (the default): 16 hosts, 122 GPUs. Per-GPU unit = cpu_num/gpu_num cores +
 * memory_gb/gpu_num GB. RTX 4090 D hosts have a small unit (12 cores, 15 GB): a 16 GB memory floor
 * cannot be met with one GPU there (as observed on the real platform), 8 GB can.
 * GPU names: a private cluster names its cards as its operator registered them. The recorded live
 * names are `NVIDIA GeForce RTX 4090` and `NVIDIA A40` (busstop12 references/api.md, "verified
 * against a live private cluster": 8 and 6 cards); the documentation's samples use short names
 * (`RTX 4090`, `RTX A5000`). This world carries both styles side by side — a client that
 * normalises names (`NVIDIA GeForce RTX 4090` → `RTX 4090`) counts the wrong cards.
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
  // recorded live private names (busstop12 api.md gpu_stock sample: 8 and 6 cards); price 1000 as observed (Gemcp)
  h('f94411a615', 'privateDC1', 'NVIDIA GeForce RTX 4090', 8, 128, 480, 124, 1000),
  h('f94411a616', 'privateDC1', 'NVIDIA A40', 6, 96, 360, 122, 1000),
];

/** Alias kept for readers of the old name: the private preset. */
export const PRIVATE_HOSTS: readonly HostConfig[] = DEFAULT_HOSTS;

/**
 * Public-dialect preset (api.autodl.com): 15 hosts, 112 GPUs, named as the public host lists them
 * (Rookie-Package/autodl notebook, westDC2 region stock: `vGPU-32GB`, `vGPU-48GB`, `RTX 4090D`
 * — no space —, `RTX 4090`, `RTX 3090`, `RTX 3080x2`). One RTX 4090 in westDC2 = 16 CPU + 60 GiB,
 * 1980 milli-yuan/h (XR-Lee/Gemcp public validation). Data-centre ids as recorded; the rest of the
 * per-GPU shares, CUDA maxima and prices are guesses.
 */
export const PUBLIC_HOSTS: readonly HostConfig[] = [
  h('3147a4b79a', 'westDC2', 'RTX 4090', 8, 128, 480, 122, 1980),
  h('3147a4b79b', 'westDC2', 'RTX 4090', 8, 128, 480, 122, 1980),
  h('3147a4b79c', 'westDC2', 'RTX 4090D', 8, 96, 120, 122, 1880),
  h('3147a4b79d', 'westDC2', 'vGPU-32GB', 8, 80, 400, 124, 1580),
  h('3147a4b79e', 'westDC2', 'vGPU-48GB', 8, 96, 720, 124, 2380),
  h('3147a4b79f', 'westDC2', 'RTX 3080x2', 8, 64, 240, 120, 1280),
  h('5a0c11e2a1', 'westDC3', 'RTX 3090', 8, 128, 720, 120, 1320),
  h('5a0c11e2a2', 'beijingDC1', 'RTX 4090', 8, 112, 480, 124, 2080),
  h('5a0c11e2a3', 'beijingDC2', 'RTX 3090', 8, 128, 720, 118, 1200),
  h('5a0c11e2a4', 'beijingDC3', 'V100-SXM2-32GB', 8, 80, 320, 118, 1880),
  h('5a0c11e2a5', 'beijingDC4', 'L20', 8, 128, 720, 124, 2500),
  h('6d9e2f4b06', 'neimengDC1', 'RTX 4090D', 8, 96, 120, 122, 1880),
  h('6d9e2f4b07', 'neimengDC3', 'RTX 3080x2', 4, 32, 120, 120, 1280),
  h('7e1a3b5c08', 'foshanDC1', 'RTX 4090', 8, 128, 720, 122, 1980),
  h('7e1a3b5c09', 'yangzhouDC1', 'RTX 3090', 8, 96, 360, 117, 1100),
];

/** The preset hosts of a dialect. */
export function hostsFor(dialect: 'private' | 'public'): readonly HostConfig[] {
  return dialect === 'public' ? PUBLIC_HOSTS : DEFAULT_HOSTS;
}

/**
 * region_sign → data centres (endpoint 13). The recorded region_sign values ARE data-centre ids
 * (`westDC2`; fxp/skillify, Rookie-Package/autodl); these group names are an invented extra.
 * Anything else answers an empty Success (Minato-Aqukin/AutoDL-cli: `bj-B2`).
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
  /** the uuid the public host uses for this image, where recorded */
  publicUuid: string;
}

/**
 * Base images (endpoint 14), the same for every tenant. Private names and uuid format from one
 * live private catalogue (busstop12 references/system-images.md: `base-image-` + 12 hex,
 * `torch:cuda12.4-…`); the public uuids are the ones a public client ships (Rookie-Package/autodl:
 * `base-image-l2t43iu6uk` = PyTorch 2.0.0 / CUDA 11.8, which a live create accepted), so they are
 * 10 lowercase letters and digits.
 */
export const SYSTEM_IMAGES: readonly SystemImageSeed[] = [
  { name: 'torch:cuda12.4-cudnn-devel-ubuntu22.04-py312-torch2.5.1', cuda_version: '12.4', framework: 'PyTorch', publicUuid: 'base-image-h7q2m9x4ke' },
  { name: 'torch:cuda12.1-cudnn8-devel-ubuntu22.04-py312-torch2.3.0', cuda_version: '12.1', framework: 'PyTorch', publicUuid: 'base-image-p3w8c1v6ra' },
  { name: 'torch:cuda11.8-cudnn8-devel-ubuntu22.04-py310-torch2.1.2', cuda_version: '11.8', framework: 'PyTorch', publicUuid: 'base-image-z5n0t2d8yb' },
  { name: 'torch:cuda11.8-cudnn8-devel-ubuntu20.04-py38-torch2.0.0', cuda_version: '11.8', framework: 'PyTorch', publicUuid: 'base-image-l2t43iu6uk' },
  { name: 'torch:cuda11.3-cudnn8-devel-ubuntu20.04-py38-torch1.11.0', cuda_version: '11.3', framework: 'PyTorch', publicUuid: 'base-image-l374uiucui' },
  { name: 'torch:cuda11.3-cudnn8-devel-ubuntu20.04-py38-torch1.10.0', cuda_version: '11.3', framework: 'PyTorch', publicUuid: 'base-image-u9r24vthlk' },
  { name: 'tensorflow:cuda11.2-cudnn8-devel-ubuntu20.04-py38-tf2.9.0', cuda_version: '11.2', framework: 'TensorFlow', publicUuid: 'base-image-uxeklgirir' },
  { name: 'tensorflow:cuda11.x-py38-tf1.15.5', cuda_version: '11.4', framework: 'TensorFlow', publicUuid: 'base-image-4bpg0tt88l' },
  { name: 'miniconda:cuda12.2-cudnn8-devel-ubuntu22.04-py310', cuda_version: '12.2', framework: 'Miniconda', publicUuid: 'base-image-r6k1s8f3gw' },
  { name: 'miniconda:cuda11.8-cudnn8-devel-ubuntu22.04-py310', cuda_version: '11.8', framework: 'Miniconda', publicUuid: 'base-image-e4j7b0n5xq' },
  { name: 'miniconda:cuda11.6-cudnn8-devel-ubuntu20.04-py38', cuda_version: '11.6', framework: 'Miniconda', publicUuid: 'base-image-mbr2n4urrc' },
  { name: 'tensorrt:cuda11.8-trt8.5.1-ubuntu20.04-py38', cuda_version: '11.8', framework: 'TensorRT', publicUuid: 'base-image-l2843iu23k' },
];

/** Extra private images seeded for every tenant besides the demo image (uuids differ per tenant). */
export const TENANT_IMAGE_NAMES: readonly string[] = ['llama-finetune-v3', 'sd-webui-1.9'];
