// Section 6 — isolation: tenant A's token against tenant B's deployments, containers,
// events, images and blacklist, endpoint by endpoint; B's state must be unchanged.
import { randomBytes } from 'node:crypto';
import { AutodlClient } from '../src/api/index.js';
import { AutodlError } from '../src/errors.js';
import { startSimulator } from '../src/sim/index.js';
import { collectSecrets, jobBody } from './faults.js';
import { check, newSection, type Section, type Suite } from './lib.js';

export async function isolation(suite: Suite): Promise<Section> {
  const sec = newSection('isolation', '6. Isolation', "Two tenants on one simulator (one token each). Tenant B owns a running ReplicaSet deployment, its container and events, a blacklist entry and private images; tenant A's token tries every endpoint on B's ids. Reads must not show B's data; changes must fail and leave B's state as it was.");
  const [ta, tb] = [`rel-iso-a-${randomBytes(12).toString('hex')}`, `rel-iso-b-${randomBytes(12).toString('hex')}`];
  suite.secret(ta);
  suite.secret(tb);
  const sim = await startSimulator({ tokens: [ta, tb], clock: 'manual', backgroundLoad: false });
  const A = new AutodlClient({ token: ta, host: sim.url, retries: 0 });
  const B = new AutodlClient({ token: tb, host: sim.url, retries: 0 });
  const rows: string[] = [];
  const cmd = `${suite.rerun('isolation')} (AutodlClient with tenant A's token on tenant B's ids)`;
  try {
    const dep = (await B.deployments.create({ ...jobBody('b-secret'), deployment_type: 'ReplicaSet' })).deployment_uuid;
    sim.world.advance(20_000);
    const container = (await B.containers.list({ deployment_uuid: dep })).list[0]!.uuid;
    await B.blacklist.add({ deployment_container_uuid: container, comment: 'b' });
    const bImages = (await B.images.list()).list.map((i) => i.image_uuid);
    const aImages = new Set((await A.images.list()).list.map((i) => i.image_uuid));
    const bOnlyImage = bImages.find((u) => !aImages.has(u))!;
    const bState = async () => {
      const d = await B.deployments.get(dep);
      const cs = (await B.containers.list({ deployment_uuid: dep })).list;
      const bl = await B.blacklist.list();
      return JSON.stringify([d?.status, d?.replica_num, cs.map((c) => [c.uuid, c.status]), bl.length]);
    };
    const before = await bState();
    const attempt = async (p: () => Promise<unknown>): Promise<{ ok: boolean; value?: unknown; err?: string }> => {
      try {
        return { ok: true, value: await p() };
      } catch (e) {
        return { ok: false, err: e instanceof AutodlError ? `${e.errorType}${(e.details as { code?: string }).code ? ` ${(e.details as { code?: string }).code}` : ''}` : String(e) };
      }
    };
    const cases: Array<[string, string, () => Promise<{ ok: boolean; value?: unknown; err?: string }>, (r: { ok: boolean; value?: unknown; err?: string }) => boolean]> = [
      ['3. list deployments (no filter)', "B's deployment absent", () => attempt(() => A.deployments.list()), (r) => r.ok && !JSON.stringify(r.value).includes(dep)],
      ['3. list deployments (deployment_uuid = B\'s)', 'empty', () => attempt(() => A.deployments.list({ deployment_uuid: dep })), (r) => r.ok && (r.value as { list: unknown[] }).list.length === 0],
      ['3. list deployments (name = B\'s)', 'empty', () => attempt(() => A.deployments.list({ name: 'b-secret' })), (r) => r.ok && (r.value as { list: unknown[] }).list.length === 0],
      ['5. list containers of B\'s deployment', 'empty', () => attempt(() => A.containers.list({ deployment_uuid: dep })), (r) => !r.ok || (r.value as { list: unknown[] }).list.length === 0],
      ['4. events of B\'s deployment', 'empty', () => attempt(() => A.events.list({ deployment_uuid: dep })), (r) => !r.ok || (r.value as { list: unknown[] }).list.length === 0],
      ['15. ddp overview of B\'s deployment', 'refused', () => attempt(() => A.deployments.ddpOverview(dep)), (r) => !r.ok],
      ['6. stop B\'s container', 'refused', () => attempt(() => A.containers.stop({ deployment_container_uuid: container })), (r) => !r.ok],
      ['7. set replicas of B\'s deployment', 'refused', () => attempt(() => A.deployments.setReplicas(dep, 3)), (r) => !r.ok],
      ['8. stop B\'s deployment', 'refused', () => attempt(() => A.deployments.stop(dep)), (r) => !r.ok],
      ['9. delete B\'s deployment', 'refused', () => attempt(() => A.deployments.delete(dep)), (r) => !r.ok],
      ['10. blacklist B\'s container\'s host', 'refused', () => attempt(() => A.blacklist.add({ deployment_container_uuid: container })), (r) => !r.ok],
      ['11. list blacklist', "B's entry absent", () => attempt(() => A.blacklist.list()), (r) => r.ok && (r.value as unknown[]).length === 0],
      ['1. list private images', "B's own images absent", () => attempt(() => A.images.list()), (r) => r.ok && !JSON.stringify(r.value).includes(bOnlyImage)],
      ['2. create with B\'s private image', 'refused, nothing created', () => attempt(() => A.deployments.create({ ...jobBody('a-steal'), container_template: { ...jobBody('x').container_template, image_uuid: bOnlyImage } })), (r) => !r.ok],
    ];
    let bad = 0;
    for (const [endpoint, expect, run, ok] of cases) {
      const r = await run();
      const pass = ok(r);
      if (!pass) bad++;
      rows.push(`| ${endpoint} | ${expect} | ${r.ok ? 'answered' : `error: ${r.err}`} | ${pass ? '✓' : '✗'} |`);
    }
    const after = await bState();
    const aDeps = sim.world.allDeployments(true).filter((d) => d.name === 'a-steal').length;
    check(sec, 'endpoints where tenant A read or changed tenant B\'s data', `${bad} of ${cases.length}`, bad === 0, cmd);
    check(sec, "tenant B's state changed by tenant A's calls (deployment status, replicas, containers, blacklist)", before === after ? 'no' : 'yes', before === after, cmd, `${before} → ${after}`);
    check(sec, "deployments created with B's private image", aDeps, aDeps === 0, cmd);
    sec.extra = ['', '| endpoint (A on B\'s ids) | expected | result | |', '|---|---|---|---|', ...rows, '', 'GPU stock (12, 13) and system images (14) are shared by design: they carry no tenant data.'].join('\n');
    await collectSecrets(suite, sim, [ta, tb]);
  } finally {
    await sim.close();
  }
  return sec;
}
