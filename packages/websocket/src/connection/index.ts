export { Connection, type ConnectionSpec, startConnection } from './connection.js';
export { BadResultError } from './frame-dispatch.js';
