// `autodl init [file]`: a starting config written from what the account really has — its
// images (private, else the base images) and the GPU types in stock — in the dialect of the
// host (private: one cuda_v; public: a CUDA range and dc_list). On a terminal it asks (Enter
// takes the default shown); in a script the flags decide and the defaults fill the rest. The
// file is validated through the config pipeline before it is written; an existing file is kept
// unless --force.
import { existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Option } from 'commander';
import type { Dialect, PrivateImage, Stock, SystemImage } from '../../api/types.js';
import { KNOWN_DATA_CENTERS } from '../../api/types.js';
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { makeClient, toArray } from '../client.js';
import type { CliContext } from '../runtime.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { filterError } from '../filters.js';

export interface InitOptions {
  image?: string;
  gpu?: string[];
  type?: 'Job' | 'ReplicaSet' | 'Container';
  name?: string;
  cmd?: string;
  dc?: string[];
  force?: boolean;
  yes?: boolean;
}

interface ImageChoice {
  image_uuid: string;
  name: string;
  system: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/;

/** The GPU types of the stock, most idle cards first (then by name). */
export function gpusByIdle(stock: Stock): string[] {
  return Object.keys(stock).sort((a, b) => stock[b]!.idle - stock[a]!.idle || a.localeCompare(b));
}

/** The config text: YAML with a comment on each field a newcomer gets wrong. */
export function configText(o: { name: string; type: 'Job' | 'ReplicaSet' | 'Container'; image: ImageChoice; gpus: string[]; cmd: string; dialect: Dialect; dc: string[] }): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    '# an editor schema for this file: autodl schema > deployment.schema.json',
    `# written by \`autodl init\` for the ${o.dialect} dialect; check it with \`autodl validate\`, run it with \`autodl submit\``,
    `name: ${q(o.name)}`,
    `deployment_type: ${o.type}`,
  ];
  if (o.type !== 'Container') lines.push('replica_num: 1');
  if (o.type === 'Job') lines.push('parallelism_num: 1');
  lines.push(
    'reuse_container: true',
    'container_template:',
    `  gpu_name_set: [${o.gpus.map(q).join(', ')}]   # exact names, as \`autodl stock\` lists them`,
    '  gpu_num: 1',
  );
  if (o.dialect === 'public') {
    lines.push(`  dc_list: [${o.dc.map(q).join(', ')}]`, '  cuda_v_from: 118              # CUDA range of the host driver (118 = 11.8)', '  cuda_v_to: 128');
  } else {
    lines.push('  cuda_v: 118                   # the minimum driver CUDA the image needs (118 = 11.8)');
  }
  lines.push(
    '  cpu_num_from: 1',
    '  cpu_num_to: 100',
    '  memory_size_from: 8             # GB, not bytes; a high floor can make it unschedulable',
    '  memory_size_to: 256',
    '  price_from: 100                 # milli-yuan per hour (100 = 0.1 yuan)',
    '  price_to: 9000',
    `  image_uuid: ${q(o.image.image_uuid)}   # ${o.image.system ? 'base image' : 'private image'} ${o.image.name.replace(/[\r\n#]/g, ' ')}`,
    `  cmd: ${q(o.cmd)}`,
    '',
  );
  return lines.join('\n');
}

async function choose<T>(ask: (q: string) => Promise<string>, title: string, items: T[], label: (x: T) => string, dflt: number, many = false): Promise<T[]> {
  const list = items.slice(0, 20).map((x, i) => `  ${i + 1}) ${label(x)}`).join('\n');
  for (;;) {
    const a = (await ask(`${title}\n${list}\n${t('init.pick', { n: dflt + 1 })} `)).trim();
    if (a === '') return [items[dflt]!];
    const picks = a.split(/[\s,]+/).map(Number);
    if (picks.every((n) => Number.isInteger(n) && n >= 1 && n <= Math.min(items.length, 20)) && (many || picks.length === 1)) return picks.map((n) => items[n - 1]!);
  }
}

export async function run(ctx: CliContext, [path]: [string | undefined], opts: InitOptions): Promise<void> {
  const file = path ?? 'autodl.yaml';
  if (existsSync(file) && !opts.force) throw new AutodlError('config_error', t('init.exists', { path: file }), { path: file });
  if (opts.name !== undefined && !NAME.test(opts.name)) throw new AutodlError('config_error', t('init.badName', { value: opts.name }), { value: opts.name });
  const client = await makeClient(ctx);
  const dialect = client.dialect;
  const privates: PrivateImage[] = await toArray(client.images.listAll());
  let images: ImageChoice[] = privates.map((i) => ({ image_uuid: i.image_uuid, name: String(i.name ?? i.image_name ?? ''), system: false }));
  if (images.length === 0) {
    const system: SystemImage[] = await toArray(client.images.listAllSystem());
    images = system.map((i) => ({ image_uuid: i.image_uuid, name: `${i.name ?? ''}${i.cuda_version ? ` (CUDA ${i.cuda_version})` : ''}`, system: true }));
  }
  if (images.length === 0) throw new AutodlError('image_not_found', t('init.noImages'), { requested: opts.image ?? null, available_images: [] });
  const stock = await client.stock.get();
  const gpus = gpusByIdle(stock);
  if (gpus.length === 0) throw new AutodlError('gpu_type_not_found', t('init.noGpus'), { requested: opts.gpu ?? [], available_gpus: [] });

  let image: ImageChoice | undefined;
  if (opts.image !== undefined) {
    image = images.find((i) => i.image_uuid === opts.image || i.name === opts.image);
    if (!image) throw filterError('--image', opts.image, images.map((i) => i.image_uuid));
  }
  for (const g of opts.gpu ?? []) if (!gpus.includes(g)) throw filterError('--gpu', g, gpus);
  let chosenGpus = opts.gpu ?? [];
  let type = opts.type;
  let name = opts.name;
  let cmd = opts.cmd;
  let dc = opts.dc ?? [];

  const interactive = !opts.yes && Boolean(ctx.io.stdin.isTTY) && Boolean(ctx.io.stderr.isTTY);
  if (interactive) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const ask = (q: string) => rl.question(q);
    try {
      image ??= (await choose(ask, t('init.askImage'), images, (i) => `${i.image_uuid}  ${ctx.humanText(i.name)}`, 0))[0];
      if (chosenGpus.length === 0) chosenGpus = (await choose(ask, t('init.askGpu'), gpus, (g) => `${ctx.humanText(g)}  (${stock[g]!.idle}/${stock[g]!.total} idle)`, 0, true)).map(String);
      type ??= (await choose(ask, t('init.askType'), ['Job', 'ReplicaSet', 'Container'] as const, (x) => x, 0))[0]!;
      for (;;) {
        name ??= (await ask(`${t('init.askName')} [my-${type.toLowerCase()}] `)).trim() || `my-${type.toLowerCase()}`;
        if (NAME.test(name)) break;
        name = undefined;
      }
      cmd ??= (await ask(`${t('init.askCmd')} [python /root/train.py] `)).trim() || 'python /root/train.py';
    } finally {
      rl.close();
    }
  }
  image ??= images[0]!;
  if (chosenGpus.length === 0) chosenGpus = gpus.slice(0, 2);
  type ??= 'Job';
  name ??= `my-${type.toLowerCase()}`;
  cmd ??= type === 'Job' ? 'python /root/train.py' : 'python /root/app.py';
  if (dialect === 'public' && dc.length === 0) dc = [KNOWN_DATA_CENTERS[0]!];

  const text = configText({ name, type, image, gpus: chosenGpus, cmd, dialect, dc });
  // what is written validates: the same pipeline as `autodl validate`
  const { readConfig } = await import('../../ops/config.js');
  const prepared = await readConfig(text, { dialect, strings: 'text', textName: file });
  writeFileSync(file, text, { flag: opts.force ? 'w' : 'wx', mode: 0o644 });
  ctx.result({ status: 'success', path: file, dialect, body: prepared.body, warnings: prepared.warnings }, () =>
    [ctx.out.green(`✓ ${t('init.written', { path: file, dialect })}`), t('init.next', { path: file })].join('\n'),
  );
}

export const command: CliCommand = {
  names: ['init'],
  examples: [
    ['autodl init', 'ex.init'],
    ['autodl init train.yaml --gpu "RTX 4090" --type Job --name train --cmd "python train.py" --yes', 'ex.init.flags'],
  ],
  declare(program) {
    withExamples(
      program
        .command('init')
        .description(t('cmd.init'))
        .argument('[file]', t('init.arg.file'))
        .option('--image <uuid>', t('init.opt.image'))
        .option('--gpu <name...>', t('init.opt.gpu'))
        .addOption(new Option('--type <type>', t('init.opt.type')).choices(['Job', 'ReplicaSet', 'Container']))
        .option('--name <name>', t('init.opt.name'))
        .option('--cmd <cmd>', t('init.opt.cmd'))
        .option('--dc <id...>', t('init.opt.dc'))
        .option('--force', t('init.opt.force'))
        .option('-y, --yes', t('init.opt.yes')),
      command.examples,
    ).action(action(run));
  },
};
