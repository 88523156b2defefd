// Library entry: the SDK, the config pipeline, the queue, watch/wait/cost helpers,
// notifications and the simulator.
export * from './errors.js';
export * from './api/types.js';
export * from './api/index.js';
export * from './credentials/credentials.js';
export * from './pipeline/index.js';
export * from './queue/index.js';
export * from './watch/index.js';
export * from './notify/index.js';
export { sleep, type SleepFn } from './util/sleep.js';
export { startSimulator, runSimCommand, DEMO_TOKEN, DEMO_IMAGE_UUID, World, type SimOptions, type Simulator } from './sim/index.js';
