/**
 * The plain HTTP side of the chat server, on `node:http`: the page (two static files, no build
 * step) and a small admin API. It runs in the server's request listener, outside any process,
 * and still talks to processes: a notice goes to a user's connection by the pid the registry
 * gives for `user:<name>`, with `node.send` — the way any code in a Corral program reaches a
 * connection.
 *
 * - `GET /`, `GET /app.js`: the page;
 * - `POST /admin/notice?user=<name>` with a text body: sends `['notice', text]` to that user's
 *   connection (202), 404 if the user is not online;
 * - `GET /admin/rooms`: the rooms as JSON, with their pids and member counts.
 *
 * The admin routes have no authentication: the server listens on 127.0.0.1 unless told otherwise.
 *
 * @example
 * const server = createServer(httpHandler(node));
 * // curl -X POST --data 'maintenance at noon' 'http://127.0.0.1:8080/admin/notice?user=alice'
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type Node, pg } from '@corral/actor';
import type { ConnectionInfo } from './chat-handler.js';
import { PG_SCOPE, roomGroup, userName } from './names.js';
import { listRooms } from './room-directory.js';

/** Where `index.html` and `app.js` live. */
export const PUBLIC_DIR = new URL('../public/', import.meta.url);

/** The only files served: a fixed list, so no request path ever reaches the file system. */
const STATIC: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
};

/** The longest notice accepted, in bytes. */
const MAX_NOTICE = 4096;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `a notice is at most ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `POST /admin/notice?user=<name>`: plain code sending to a connection process by its pid. */
async function postNotice(node: Node, req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') throw new HttpError(405, 'use POST');
  const user = url.searchParams.get('user') ?? '';
  const text = (await readBody(req, MAX_NOTICE)).trim();
  if (text.length === 0) throw new HttpError(400, 'the notice text goes in the request body');
  const pid = node.whereis<ConnectionInfo>(userName(user));
  if (pid === undefined) throw new HttpError(404, `${user} is not online`);
  node.send(pid, ['notice', text]);
  send(res, 202, `notice sent to ${user} (${pid})\n`);
}

/** `GET /admin/rooms`: what the directory knows, with each room's pid and member count. */
async function getRooms(node: Node, res: ServerResponse): Promise<void> {
  const scope = pg.scope(node, PG_SCOPE);
  const rooms = (await listRooms(node)).map(({ room, pid }) => ({
    room,
    pid: pid?.toString() ?? null,
    members: scope.getMembers(roomGroup(room)).length,
  }));
  send(res, 200, `${JSON.stringify(rooms)}\n`, 'application/json');
}

async function serveStatic(path: string, res: ServerResponse, publicDir: URL): Promise<boolean> {
  const entry = STATIC[path];
  if (entry === undefined) return false;
  send(res, 200, await readFile(new URL(entry[0], publicDir), 'utf8'), entry[1]);
  return true;
}

/**
 * The server's request listener (WebSocket upgrades on `/ws` go to the listener, not here).
 * Files are read on each request, so editing the page needs no restart.
 */
export function httpHandler(node: Node, publicDir: URL = PUBLIC_DIR): RequestListener {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/admin/notice') return postNotice(node, req, url, res);
    if (url.pathname === '/admin/rooms') return getRooms(node, res);
    if (req.method === 'GET' && (await serveStatic(url.pathname, res, publicDir))) return;
    throw new HttpError(404, 'not found');
  };
  return (req, res) => {
    route(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) node.logger.error({ err: e, url: req.url }, 'HTTP request failed');
      if (!res.headersSent) send(res, status, `${e instanceof HttpError ? e.message : 'internal error'}\n`);
      else res.destroy();
    });
  };
}
