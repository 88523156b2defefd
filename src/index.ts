// Library entry: the SDK, the config pipeline, the simulator and the queue.
export * from './errors.js';
export * from './api/types.js';
export * from './api/index.js';
export * from './config/credentials.js';
export * from './spec/index.js';
