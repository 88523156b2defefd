// Container uuids are never parsed to find their deployment (recorded: on the public host a
// container uuid has four parts and its first is not its deployment's uuid). `autodl ssh` finds
// the container by asking the deployments for it, against the recorded public shapes.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, assertTokenNeverPrinted } from '../cli/helpers.js';
import { corpusServer } from './helpers.js';

const TOKEN = 'contract-uuid-token-5b2e8d1c07';
const closers: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(closers.map((c) => c()));
  assertTokenNeverPrinted(TOKEN);
});

const CONTAINER = '5dec112cb6-314744b79a-f1156c1ed8-32bdb0791'; // public/container-list.json, in deployment 8d358fbd8c

async function server() {
  const srv = await corpusServer({
    'POST /api/v1/dev/deployment/list': 'public/deployment-list-get.json',
    'POST /api/v1/dev/deployment/container/list': (req) =>
      (req.body as { deployment_uuid?: string }).deployment_uuid === '8d358fbd8c' ? 'public/container-list.json' : 'public/container-list-empty.json',
  });
  closers.push(srv.close);
  return srv;
}

const env = (url: string) => ({ env: { AUTODL_HOST: url, AUTODL_TOKEN: TOKEN, AUTODL_DIALECT: 'public' } });

describe('container uuids are not parsed', () => {
  test('ssh finds a public container whose uuid does not start with its deployment\'s', async () => {
    const srv = await server();
    const r = await runCli(['ssh', CONTAINER, '--json'], env(srv.url));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const res = JSON.parse(r.stdout) as { ssh_command: string; root_password?: string };
    assert.equal(res.ssh_command, 'ssh -p 10000 root@connect.westc.example.invalid');
    assert.equal(res.root_password, undefined);
    assert.ok(!r.stdout.includes('REDACTED-PLACEHOLDER'));
    // never asked the server for a deployment named after the uuid's first part
    const asked = srv.seen.filter((s) => s.path.endsWith('/container/list')).map((s) => (s.body as { deployment_uuid: string }).deployment_uuid);
    assert.equal(asked.includes('5dec112cb6'), false);
    assert.ok(asked.includes('8d358fbd8c'));
  });

  test('a container no deployment has is not_found (exit 3)', async () => {
    const srv = await server();
    const r = await runCli(['ssh', 'nope-0000', '--json'], env(srv.url));
    assert.equal(r.code, 3);
    assert.equal((JSON.parse(r.stdout) as { error_type: string }).error_type, 'not_found');
  });
});
