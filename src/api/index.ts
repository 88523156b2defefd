// The SDK: client, resources, the operations table, transport, dialects, redaction and wire types.
export * from './types.js';
export * from './operations.js';
export * from './client.js';
export * from './dialect.js';
export * from './events.js';
export * from './transport.js';
export * from './redact.js';
export { Images, Deployments, Containers, Events, Blacklist, StockResource } from './resources/index.js';
