// After the submit: the helpers of watch / wait / cost / describe (the CLI commands live in
// src/cli/commands). All pure but ./inspect.ts, which reads through the SDK.
export * from './time.js';
export * from './wait.js';
export * from './cost.js';
export * from './rows.js';
export * from './inspect.js';
