// Notification sinks against a receiver on loopback: each format's JSON shape, signatures,
// retries with an injected sleep, and notify() never throwing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutodlError } from '../../src/errors.js';
import { dingtalkSign, feishuSign, loadNotifySinks, maskUrl, notify, sinksFromConfig, type NotifyEvent, type NotifySink } from '../../src/notify/index.js';

interface Received {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base = '';
const received: Received[] = [];
/** Per path: the statuses to answer, in order (then 200). */
const script = new Map<string, number[]>();
/** Per path: a JSON reply body for 200s. */
const replies = new Map<string, unknown>();

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      received.push({ path: u.pathname, query: u.searchParams, headers: req.headers, body });
      const queue = script.get(u.pathname) ?? [];
      const status = queue.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? (replies.get(u.pathname) ?? { errcode: 0, errmsg: 'ok' }) : { error: 'boom' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

function only(path: string): Received[] {
  return received.filter((r) => r.path === path);
}

const event: NotifyEvent = {
  kind: 'job_finished',
  message: 'the Job finished: 3 of 3 replicas',
  deployment: { uuid: 'dep123', name: 'train-1' },
  time: '2026-07-01T00:00:00.000Z',
};
const NOW = 1_782_864_000_000;
const noSleep = { sleep: async () => {}, now: () => NOW };

describe('payload formats', () => {
  test('generic webhook: JSON POST of the event (kind, message, deployment, title, text)', async () => {
    const [r] = await notify(event, [{ type: 'webhook', url: `${base}/hook`, headers: { 'x-extra': 'yes' } }], noSleep);
    assert.equal(r!.ok, true);
    const got = only('/hook').at(-1)!;
    assert.match(String(got.headers['content-type']), /application\/json/);
    assert.equal(got.headers['x-extra'], 'yes');
    const body = JSON.parse(got.body);
    assert.equal(body.kind, 'job_finished');
    assert.equal(body.message, event.message);
    assert.deepEqual(body.deployment, { uuid: 'dep123', name: 'train-1' });
    assert.equal(body.source, 'autodl-elastic');
    assert.equal(typeof body.title, 'string');
    assert.match(body.text, /train-1 \(dep123\)/);
  });

  test('Feishu: msg_type text; with a secret, timestamp (seconds) and sign', async () => {
    replies.set('/feishu', { code: 0, msg: 'success' });
    await notify(event, [{ type: 'feishu', url: `${base}/feishu` }], noSleep);
    const plain = JSON.parse(only('/feishu').at(-1)!.body);
    assert.equal(plain.msg_type, 'text');
    assert.match(plain.content.text, /the Job finished/);
    assert.equal(plain.sign, undefined);
    const [r] = await notify(event, [{ type: 'feishu', url: `${base}/feishu`, secret: 'fs-secret' }], noSleep);
    assert.equal(r!.ok, true);
    const signed = JSON.parse(only('/feishu').at(-1)!.body);
    assert.equal(signed.timestamp, String(Math.floor(NOW / 1000)));
    const expected = createHmac('sha256', `${signed.timestamp}\nfs-secret`).update('').digest('base64');
    assert.equal(signed.sign, expected);
    assert.equal(feishuSign(Number(signed.timestamp), 'fs-secret'), expected);
  });

  test('Feishu: a 200 reply with a non-zero code is a failure (not retried)', async () => {
    replies.set('/feishu-bad', { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' });
    const n = only('/feishu-bad').length;
    const [r] = await notify(event, [{ type: 'feishu', url: `${base}/feishu-bad`, secret: 's' }], noSleep);
    assert.equal(r!.ok, false);
    assert.match(r!.error!, /19021/);
    assert.equal(only('/feishu-bad').length - n, 1);
  });

  test('WeCom: msgtype text, or markdown', async () => {
    await notify(event, [{ type: 'wecom', url: `${base}/wecom?key=abc` }], noSleep);
    const text = JSON.parse(only('/wecom').at(-1)!.body);
    assert.deepEqual(Object.keys(text).sort(), ['msgtype', 'text']);
    assert.equal(text.msgtype, 'text');
    assert.match(text.text.content, /dep123/);
    await notify(event, [{ type: 'wecom', url: `${base}/wecom?key=abc`, format: 'markdown' }], noSleep);
    const md = JSON.parse(only('/wecom').at(-1)!.body);
    assert.equal(md.msgtype, 'markdown');
    assert.match(md.markdown.content, /^\*\*/);
    assert.equal(only('/wecom').at(-1)!.query.get('key'), 'abc');
  });

  test('DingTalk: msgtype text; with a secret, timestamp (ms) and sign in the query', async () => {
    await notify(event, [{ type: 'dingtalk', url: `${base}/ding?access_token=tok` }], noSleep);
    const plain = only('/ding').at(-1)!;
    assert.equal(JSON.parse(plain.body).msgtype, 'text');
    assert.equal(plain.query.get('sign'), null);
    await notify(event, [{ type: 'dingtalk', url: `${base}/ding?access_token=tok`, secret: 'SECxyz' }], noSleep);
    const got = only('/ding').at(-1)!;
    const body = JSON.parse(got.body);
    assert.equal(body.msgtype, 'text');
    assert.match(body.text.content, /the Job finished/);
    assert.equal(got.query.get('access_token'), 'tok');
    assert.equal(got.query.get('timestamp'), String(NOW));
    const expected = createHmac('sha256', 'SECxyz').update(`${NOW}\nSECxyz`).digest('base64');
    assert.equal(got.query.get('sign'), expected);
    assert.equal(dingtalkSign(NOW, 'SECxyz'), expected);
  });

  test('ServerChan: form POST of title and desp', async () => {
    replies.set('/SCT123456789abcdef.send', { code: 0, message: '' });
    const [r] = await notify(event, [{ type: 'serverchan', url: `${base}/SCT123456789abcdef.send` }], noSleep);
    assert.equal(r!.ok, true);
    const got = only('/SCT123456789abcdef.send').at(-1)!;
    assert.match(String(got.headers['content-type']), /application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(got.body);
    assert.match(form.get('title')!, /Job finished/);
    assert.match(form.get('desp')!, /train-1/);
    assert.equal(r!.target.includes('SCT123456789abcdef'), false, 'the sendkey is masked in results');
  });
});

describe('retries and failures', () => {
  test('500 twice then 200: retried, ok after 3 attempts, backoff doubles', async () => {
    script.set('/flaky', [500, 500]);
    const sleeps: number[] = [];
    const n = only('/flaky').length;
    const [r] = await notify(event, [{ type: 'webhook', url: `${base}/flaky` }], { sleep: async (ms) => void sleeps.push(ms), backoffMs: 100 });
    assert.equal(r!.ok, true);
    assert.equal(r!.attempts, 3);
    assert.equal(only('/flaky').length - n, 3);
    assert.deepEqual(sleeps, [100, 200]);
  });

  test('always 500: gives up after the attempts, no throw', async () => {
    script.set('/down', [500, 500, 500, 500, 500]);
    const [r] = await notify(event, [{ type: 'webhook', url: `${base}/down` }], noSleep);
    assert.equal(r!.ok, false);
    assert.equal(r!.attempts, 3);
    assert.equal(r!.status, 500);
    assert.match(r!.error!, /HTTP 500/);
  });

  test('a 4xx is not retried', async () => {
    script.set('/gone', [404]);
    const [r] = await notify(event, [{ type: 'webhook', url: `${base}/gone` }], noSleep);
    assert.equal(r!.ok, false);
    assert.equal(r!.attempts, 1);
  });

  test('connection refused and a throwing fetch never throw out of notify(); other sinks still get it', async () => {
    const dead = `http://127.0.0.1:1/x?key=supersecretkey`;
    const results = await notify(event, [{ type: 'wecom', url: dead }, { type: 'webhook', url: `${base}/alive` }], noSleep);
    assert.equal(results[0]!.ok, false);
    assert.equal(results[0]!.attempts, 3);
    assert.equal(results[1]!.ok, true);
    assert.ok(!JSON.stringify(results).includes('supersecretkey'), 'the key is not in the results');
    const thrown = await notify(event, [{ type: 'webhook', url: `${base}/x` }], {
      ...noSleep,
      fetch: (() => {
        throw new TypeError('boom');
      }) as unknown as typeof fetch,
    });
    assert.equal(thrown[0]!.ok, false);
    assert.match(thrown[0]!.error!, /boom/);
    // a malformed sink too
    const bad = await notify(event, [{ type: 'dingtalk', url: 'not a url', secret: 's' } as NotifySink], noSleep);
    assert.equal(bad[0]!.ok, false);
  });

  test('kinds filter skips a sink', async () => {
    const n = only('/filtered').length;
    const [r] = await notify(event, [{ type: 'webhook', url: `${base}/filtered`, kinds: ['failed'] }], noSleep);
    assert.equal(r!.skipped, true);
    assert.equal(only('/filtered').length, n);
  });
});

describe('config', () => {
  test('sinksFromConfig reads the notify list; the whole config object or the list', () => {
    const list = [
      { type: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/xxxxxxxxxxxxxxxx', secret: 'abc' },
      { type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', format: 'markdown' },
    ];
    assert.deepEqual(sinksFromConfig({ token: 't', notify: list }), list);
    assert.deepEqual(sinksFromConfig(list), list);
    assert.deepEqual(sinksFromConfig({ token: 't' }), []);
  });
  test('every bad entry is reported as config_error', () => {
    try {
      sinksFromConfig({ notify: [{ type: 'slack', url: 'https://x' }, { type: 'webhook', url: 'ftp://x' }, 'x', { type: 'wecom', url: 'https://a', format: 'html' }] });
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof AutodlError);
      assert.equal(e.errorType, 'config_error');
      const errors = e.details.errors as Array<{ path: string }>;
      assert.deepEqual(errors.map((x) => x.path), ['notify[0].type', 'notify[1].url', 'notify[2]', 'notify[3].format']);
    }
  });
  test('loadNotifySinks reads $XDG_CONFIG_HOME/autodl/config.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodl-notify-'));
    const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'cfg') };
    assert.deepEqual(loadNotifySinks(env), []);
    mkdirSync(join(dir, 'cfg', 'autodl'), { recursive: true });
    writeFileSync(join(dir, 'cfg', 'autodl', 'config.json'), JSON.stringify({ token: 'x', notify: [{ type: 'webhook', url: 'https://example.com/h' }] }));
    assert.deepEqual(loadNotifySinks(env), [{ type: 'webhook', url: 'https://example.com/h' }]);
  });
  test('maskUrl hides keys and tokens', () => {
    assert.equal(maskUrl('https://oapi.dingtalk.com/robot/send?access_token=abcdef'), 'https://oapi.dingtalk.com/robot/send?access_token=***');
    assert.equal(maskUrl('https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef'), 'https://open.feishu.cn/open-apis/bot/v2/hook/0123***');
  });
});

// red-team of issue 11 (unbounded replies): a sink is a server too. Its reply is read only to
// find a chat platform's logical error (a small JSON object), so at most a small prefix of it
// is read; an endless reply used to be buffered for the whole 10 s timeout (2.5 GB of RSS).
test('autodl notify-test against a sink whose reply never ends: a small prefix is read, the connection dropped, no crash', async () => {
  const { runCli } = await import('../cli/helpers.js');
  const chunk = Buffer.alloc(1 << 16, 0x61);
  let written = 0;
  let closed = false;
  const sink = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    const pump = () => {
      while (!closed) {
        written += chunk.length;
        if (!res.write(chunk)) break;
      }
    };
    res.on('drain', pump);
    res.on('close', () => (closed = true));
    pump();
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (sink.address() as AddressInfo).port;
    const r = await runCli(['notify-test', '--url', `http://127.0.0.1:${port}/hook`, '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout) as { results: Array<{ ok: boolean; status: number }> };
    assert.deepEqual(out.results.map((x) => [x.ok, x.status]), [[true, 200]]);
    assert.equal(closed, true, 'the client dropped the connection');
    // what the sink managed to write: the prefix read plus socket buffers, nowhere near the old gigabytes
    assert.ok(written < 64 * 1024 * 1024, `the sink wrote ${written} bytes before the client stopped reading`);
  } finally {
    sink.closeAllConnections();
    await new Promise<void>((r) => sink.close(() => r()));
  }
});
