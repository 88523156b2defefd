// The simulator in a child process of its own, for the load section: its memory is measured
// apart from the load generator's. IPC: {type:'mem'} → memoryUsage after a GC;
// {type:'secrets'} → every container root_password (so the suite can search for them).
import { startSimulator } from '../src/sim/index.js';

const tokens = (process.env.SIM_TOKENS ?? '').split(',').filter(Boolean);
const sim = await startSimulator({ tokens, clock: 'manual', backgroundLoad: false });
process.on('message', (m: { type: string }) => {
  if (m.type === 'mem') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({ type: 'mem', mem: process.memoryUsage() });
  } else if (m.type === 'secrets') {
    const out: string[] = [];
    for (const token of tokens) {
      const t = sim.world.tenantFor(token);
      if (!t) continue;
      for (const d of sim.world.allDeployments(true)) {
        try {
          for (const c of sim.world.listContainers(t, d.uuid, {})) if (c.info?.root_password) out.push(c.info.root_password);
        } catch {
          /* another tenant's */
        }
      }
    }
    process.send!({ type: 'secrets', secrets: out });
  } else if (m.type === 'advance') {
    sim.world.advance(60_000);
    process.send!({ type: 'advanced' });
  } else if (m.type === 'stop') {
    void sim.close().then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', url: sim.url });
