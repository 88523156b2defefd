// zod and yaml, bundled apart from the CLI (dist/vendor.cjs, with a code cache of its own):
// only the commands that read a config load them, and the CLI's own bundle and cache stay
// small for every other command. In dist/cli.cjs, `import … from 'zod'` and `… from 'yaml'`
// resolve to ./vendor-load.ts (scripts/build.mjs); under tsx and in the library they are
// the packages themselves.
import * as zod from 'zod';

// A CLI process parses one config, once: zod's JIT (a parser generated with `new Function` per
// object schema on first use) costs more to compile than it ever saves here (issue 14, §7).
zod.config({ jitless: true });

export { zod };
export * as yaml from 'yaml';
