// The queue engine: store, planner, submitter/worker and the one-shot submit.
export * from './types.js';
export * from './states.js';
export * from './ids.js';
export * from './store.js';
export * from './sqlite-store.js';
export * from './planner.js';
export * from './submitter.js';
export * from './worker.js';
export * from './submit.js';
export * from './ops.js';
export * from './pg-store.js';
export * from './open.js';
export * from './account.js';
export * from './refusal.js';
