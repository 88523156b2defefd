// yaml, bundled apart from the CLI (dist/vendor-yaml.cjs, with a code cache of its own): only a
// command that reads a YAML config loads it (a JSON config never does). See ./vendor-zod.ts.
export * from 'yaml';
