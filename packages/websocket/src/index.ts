export * from './codec/index.js';
export * from './connection/index.js';
export * from './deflate/index.js';
export * from './handler/index.js';
export * from './handshake/index.js';
export * from './server/index.js';
