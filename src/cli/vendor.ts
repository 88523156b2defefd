// zod and yaml, bundled apart from the CLI (dist/vendor.cjs, with a code cache of its own):
// only the commands that read a config load them, and the CLI's own bundle and cache stay
// small for every other command. In dist/cli.cjs, `import … from 'zod'` and `… from 'yaml'`
// resolve to ./vendor-load.ts (scripts/build.mjs); under tsx and in the library they are
// the packages themselves.
export * as zod from 'zod';
export * as yaml from 'yaml';
