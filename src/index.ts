// Library entry: the SDK, the config pipeline, the simulator and the queue.
export * from './errors.js';
export * from './api/types.js';
