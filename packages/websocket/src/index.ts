export * from './codec/index.js';
export * from './handshake/index.js';
