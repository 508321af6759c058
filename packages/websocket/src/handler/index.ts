export {
  type CallResult,
  type Command,
  DEFAULT_WS_OPTIONS,
  type Frames,
  type Handler,
  type InitResult,
  type WsOptions,
} from './handler.js';
export { compactReq, type HttpReply, Req } from './request.js';
export { closeCodeFor, type TerminateReason } from './terminate-reason.js';
