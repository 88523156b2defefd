// zod, bundled apart from the CLI (dist/vendor-zod.cjs, with a code cache of its own): only a
// command that has to explain a config that is not plainly valid (src/pipeline/quick.ts), or
// prints the JSON Schema, loads it. In dist/cli.cjs, `import … from 'zod'` resolves to a shim
// whose exports load this file on first use (./vendor-load.ts, scripts/build.mjs); under tsx and
// in the library it is the package itself.
import * as zod from 'zod';

// A CLI process parses one config, once: zod's JIT (a parser generated with `new Function` per
// object schema on first use) costs more to compile than it ever saves here (issue 14, §7).
zod.config({ jitless: true });

export * from 'zod';
