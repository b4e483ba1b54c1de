/**
 * node:http for the function bundles (infra/bundling.ts aliases `http` and `node:http` here).
 * An ESM import of node:http makes Node fill the module namespace from every export, and the
 * lazy ones (WebSocket, CloseEvent, MessageEvent) load Node's own undici: 20 ms of each cold
 * start for classes nothing here uses. require() hands over the same module without that.
 * Any named import this file lacks fails the build, never the function.
 */
import { createRequire } from 'node:module';

const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export default http;
export const {
  Agent,
  ClientRequest,
  IncomingMessage,
  METHODS,
  OutgoingMessage,
  STATUS_CODES,
  Server,
  ServerResponse,
  createServer,
  get,
  request,
  validateHeaderName,
  validateHeaderValue,
} = http;
