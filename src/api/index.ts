// The SDK: client, transport, dialects, redaction and wire types.
export * from './types.js';
export * from './client.js';
export * from './dialect.js';
export * from './events.js';
export * from './transport.js';
export * from './redact.js';
