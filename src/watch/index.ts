// After the submit: pure helpers of watch / wait / cost (the CLI commands live in src/cli/commands).
export * from './time.js';
export * from './wait.js';
export * from './cost.js';
export * from './rows.js';
