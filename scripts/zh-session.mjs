#!/usr/bin/env node
// Writes docs/zh-session.md: a Chinese session of validate → submit → watch → cost against
// the simulator, as a person sees it. Each command runs in a pseudo-terminal (`script` from
// util-linux) with a zh_CN locale; what the terminal receives is replayed on a small screen
// model (carriage returns, erased lines, redraws in place, colours dropped), so the document
// shows the final screen, not the raw bytes. Run `npm run build` first.
//
//   node scripts/zh-session.mjs            # rewrite docs/zh-session.md
//   node scripts/zh-session.mjs --stdout   # print it instead
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'autodl.cjs');
const OUT = join(ROOT, 'docs', 'zh-session.md');
const COLS = 120;
const ROWS = 40;

if (!existsSync(CLI)) fail('dist/autodl.cjs is missing: run `npm run build` first');
if (spawnSync('script', ['--version'], { encoding: 'utf8' }).status !== 0) fail('`script` (util-linux) is needed to run the commands in a pseudo-terminal');

function fail(message) {
  process.stderr.write(`zh-session: ${message}\n`);
  process.exit(1);
}

// ---------- a screen, enough for what autodl sends ----------

/** Replay terminal output: text, \r, \n, \b, CSI K / 2K / J / F / A / G; colours and modes dropped. */
export function screen(bytes) {
  const lines = [''];
  let row = 0;
  let col = 0;
  const put = (ch) => {
    const line = lines[row].padEnd(col, ' ');
    lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
    col += 1;
  };
  for (let i = 0; i < bytes.length; i++) {
    const ch = bytes[i];
    if (ch === '\x1b' && bytes[i + 1] === '[') {
      let j = i + 2;
      while (j < bytes.length && !/[A-Za-z]/.test(bytes[j])) j++;
      const args = bytes.slice(i + 2, j);
      const n = Number.parseInt(args.replace('?', ''), 10);
      switch (bytes[j]) {
        case 'K':
          lines[row] = args === '2' ? '' : lines[row].slice(0, col);
          if (args === '2') lines[row] = ''.padEnd(col, ' ');
          break;
        case 'J':
          lines.length = row + 1;
          lines[row] = lines[row].slice(0, col);
          break;
        case 'F':
          row = Math.max(0, row - (Number.isNaN(n) ? 1 : n));
          col = 0;
          break;
        case 'A':
          row = Math.max(0, row - (Number.isNaN(n) ? 1 : n));
          break;
        case 'G':
          col = Math.max(0, (Number.isNaN(n) ? 1 : n) - 1);
          break;
        default:
          break; // colours (m), cursor visibility (?25l/h)
      }
      i = j;
    } else if (ch === '\x1b') {
      i += 1; // a two-byte escape
    } else if (ch === '\r') {
      col = 0;
    } else if (ch === '\n') {
      row += 1;
      col = 0;
      if (lines.length <= row) lines.push('');
    } else if (ch === '\b') {
      col = Math.max(0, col - 1);
    } else if (ch >= ' ' || ch === '\t') {
      put(ch);
    }
  }
  return lines.map((l) => l.trimEnd()).join('\n').replace(/\n+$/, '');
}

// ---------- the session ----------

const home = mkdtempSync(join(tmpdir(), 'autodl-zh-session-'));
const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  XDG_DATA_HOME: join(home, '.local', 'share'),
  XDG_STATE_HOME: join(home, '.local', 'state'),
  XDG_CACHE_HOME: join(home, '.cache'),
  LANG: 'zh_CN.UTF-8',
  TERM: 'xterm-256color',
  TZ: 'Asia/Shanghai',
};

const sim = spawn(process.execPath, [CLI, 'sim', '--port', '0', '--speed', '1', '--no-background', '--seed', '7'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
const url = await new Promise((ok, no) => {
  let buf = '';
  sim.stdout.setEncoding('utf8').on('data', (d) => {
    buf += d;
    const m = /^(http:\/\/127\.0\.0\.1:\d+)\n/.exec(buf);
    if (m) ok(m[1]);
  });
  sim.on('exit', (code) => no(new Error(`the simulator exited (${code})`)));
});
const token = 'autodl-sim-demo-token'; // the simulator's demo token: no secret
Object.assign(env, { AUTODL_HOST: url, AUTODL_TOKEN: token });

async function admin(path, body) {
  const r = await fetch(`${url}/__sim/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

const bin = join(home, 'bin');
spawnSync('mkdir', ['-p', bin]);
writeFileSync(join(bin, 'autodl'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
env.PATH = `${bin}:${env.PATH}`;

const JOB = readFileSync(join(ROOT, 'examples', 'train-job.yaml'), 'utf8').replace(/^#.*\n/gm, '');
writeFileSync(join(home, 'job.yaml'), JOB);
writeFileSync(join(home, 'broken.yaml'), JOB.replace('replica_num: 4', 'replicas: 4').replace('price_to: 9000', 'price_to: 9.5'));
writeFileSync(
  join(home, 'odd.yaml'),
  JOB.replace('memory_size_from: 8', 'memory_size_from: 8192').replace('memory_size_to: 256', 'memory_size_to: 262144').replace('cmd: sleep 20', 'cmd: python train.py && echo ok || echo failed'),
);

/** Run one command line in a pseudo-terminal; the screen it leaves (and the screen at each of `frames` ms). */
function run(line, during, frames = []) {
  return new Promise((ok) => {
    const child = spawn('script', ['-q', '-e', '-c', `stty cols ${COLS} rows ${ROWS}; ${line}`, '/dev/null'], { cwd: home, env, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    const shots = [];
    const timers = [...(during ?? []), ...frames.map((ms) => [ms, () => shots.push({ ms, text: screen(out.replace(/\r\n/g, '\n')) })])].map(([ms, fn]) => setTimeout(fn, ms));
    child.on('exit', (code) => {
      timers.forEach(clearTimeout);
      ok({ line, code, shots, text: screen(out.replace(/\r\n/g, '\n')) });
    });
  });
}

const steps = [];
steps.push(['先检查一个写错了的配置：字段名拼错、价格按元写了。`validate` 一次列出全部问题（离线，不需要 Token）。', await run('autodl validate broken.yaml')]);
steps.push(['能运行、但多半不是本意的配置：通过检查，同时给出警告（内存按 MB 写了；`&&` 与 `||` 混用）。', await run('autodl validate odd.yaml')]);
steps.push(['改好的配置：通过检查，并打印将要发送的请求体。', await run('autodl validate job.yaml')]);
// every card the job may use is taken; two RTX 4090 free up a few seconds into the submit
await admin('occupy', { gpu_name: 'RTX 4090', count: 1000 });
await admin('occupy', { gpu_name: 'RTX 3090', count: 1000 });
steps.push([
  '提交：所需的 GPU型号 暂时没有空闲卡，`submit` 每 2 秒查一次库存，状态行原地刷新；两张 RTX 4090 空出后立即创建部署。',
  await run('autodl submit job.yaml --interval 2', [[5000, () => void admin('free', { gpu_name: 'RTX 4090', count: 2 })]], [4000]),
]);
steps.push(['实时查看部署（这里只刷新 4 次；平时按 Ctrl-C 停止）。', await run('autodl watch --count 4 --interval 3')]);
steps.push(['估算已花费用与当前消耗速度。', await run('autodl cost')]);

sim.kill('SIGTERM');
rmSync(home, { recursive: true, force: true });

const clean = (text) => text.split(home).join('~').split(url).join('http://127.0.0.1:<端口>');
const doc = [
  '# 中文会话：validate → submit → watch → cost',
  '',
  '<!-- generated by scripts/zh-session.mjs: run `npm run build && node scripts/zh-session.mjs` to refresh; do not edit by hand -->',
  '',
  '在模拟器（`autodl sim`）上完整走一遍：检查配置、排队等 GPU 并创建、实时查看、估算费用。',
  `每条命令都在伪终端（util-linux 的 \`script\`，${COLS} 列）里以 \`LANG=zh_CN.UTF-8\` 运行，下面是终端最后显示的样子`,
  '（原地刷新的状态行只留最后一帧，颜色略去）。时间按平台的时区 +08:00 显示。',
  '',
  ...steps.flatMap(([caption, r]) => [
    caption,
    '',
    ...r.shots.flatMap((s) => [`第 ${s.ms / 1000} 秒时的画面：`, '', '```console', `$ ${r.line}`, clean(s.text), '```', '', '结束时：', '']),
    '```console',
    `$ ${r.line}`,
    clean(r.text),
    '```',
    ...(r.code !== 0 ? ['', `（退出码 ${r.code}）`] : []),
    '',
  ]),
].join('\n');

if (process.argv.includes('--stdout')) process.stdout.write(doc);
else {
  writeFileSync(OUT, doc);
  process.stdout.write(`wrote ${OUT}\n`);
}
