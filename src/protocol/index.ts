export * from './close-codes.js';
export * from './envelope.js';
export * from './error-codes.js';
export * from './reserved-events.js';
export * from './contract.js';
export * from './parse-envelope.js';
export * from './token-bucket.js';
export * from './rate-limits.js';
