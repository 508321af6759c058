/**
 * The servers of the permessage-deflate benchmarks (`deflate-echo.ts`, `deflate-memory.ts`),
 * each in a child process of its own so its CPU time and memory are its own: Corral's echo
 * handler with `compress: true`, or `ws`'s `WebSocketServer` with `perMessageDeflate`, under
 * the same settings (level, context takeover, threshold). The parent talks to the child over
 * IPC: it sends a {@link ServerConfig}, gets `{ port }`, and may ask `'usage'` (CPU time and
 * memory after a full GC) at any time.
 *
 *   parent: const server = await startServer({ system: 'corral', ... }); ... server.usage(); server.stop();
 *   child:  node --expose-gc --import tsx bench/src/ws/deflate-servers.ts
 *
 * With `DEFLATE_PROF=<dir>` in the environment each child also writes a CPU profile there.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createNode, silentLogger } from '@corral/actor';
import { type DeflateOptions, type Handler, listen } from '@corral/websocket';
import { WebSocketServer } from 'ws';

/** One server to run. */
export interface ServerConfig {
  system: 'corral' | 'ws';
  /** Negotiate permessage-deflate. */
  compress: boolean;
  /** zlib level (both systems). */
  level: number;
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** Bytes under which replies go uncompressed (both systems). */
  threshold: number;
  /** Corral only: reply with `'hibernate'` (ws has no equivalent). */
  hibernate?: boolean;
}

/** What the child reports: its CPU time so far and its memory after a full GC. */
export interface Usage {
  /** User + system CPU time since start, ms. */
  cpuMs: number;
  rss: number;
  /** V8 heap committed (used or not). */
  heapTotal: number;
  heapUsed: number;
  /** Memory outside the JS heap that V8 is told of: Buffers and zlib's native allocations. */
  external: number;
}

export interface RunningServer {
  readonly port: number;
  usage(): Promise<Usage>;
  stop(): Promise<void>;
}

const MAX_MESSAGE = 16 * 1024 * 1024;

// DEFLATE_PROF=<dir>: each server child writes a CPU profile there (`node --cpu-prof`).
const PROFILE_DIR = process.env.DEFLATE_PROF;
const profile = PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`];

/** Starts `config` in a child process; resolves once it listens. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--expose-gc', '--import', 'tsx', ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await ask<number>(child, { config }, 'port');
  return {
    port,
    usage: () => ask<Usage>(child, 'usage', 'usage'),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function ask<T>(child: ChildProcess, message: unknown, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>): void => {
      if (!(key in m)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m[key] as T);
    };
    const onExit = (code: number | null): void => reject(new Error(`server child exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(message as object);
  });
}

// ---- the child ------------------------------------------------------------------------------

async function serve(config: ServerConfig): Promise<number> {
  if (config.system === 'ws') {
    const wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      maxPayload: MAX_MESSAGE,
      perMessageDeflate: config.compress && {
        serverNoContextTakeover: config.serverNoContextTakeover,
        clientNoContextTakeover: config.clientNoContextTakeover,
        zlibDeflateOptions: { level: config.level },
        threshold: config.threshold,
      },
    });
    wss.on('connection', (socket) => {
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return (wss.address() as { port: number }).port;
  }
  const node = createNode({ name: 'bench', logger: silentLogger });
  const deflateOpts: DeflateOptions = {
    level: config.level,
    serverContextTakeover: !config.serverNoContextTakeover,
    clientContextTakeover: !config.clientNoContextTakeover,
    threshold: config.threshold,
  };
  const hibernate = config.hibernate === true;
  const echo: Handler<null> = {
    init: (req, s) => [
      'websocket',
      req,
      s,
      { compress: config.compress, deflateOpts, maxFrameSize: MAX_MESSAGE },
    ],
    websocketHandle: (frame, s) =>
      frame[0] === 'text' || frame[0] === 'binary'
        ? hibernate
          ? ['reply', frame, s, 'hibernate']
          : ['reply', frame, s]
        : ['ok', s],
  };
  const listener = await listen({ node, port: 0, host: '127.0.0.1', routes: { '/': [echo, null] } });
  return listener.port;
}

function usage(): Usage {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rss: mem.rss,
    heapTotal: mem.heapTotal,
    heapUsed: mem.heapUsed,
    external: mem.external,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send !== undefined) {
  process.on('message', (m: unknown) => {
    if (m === 'usage') process.send!({ usage: usage() });
    else if (typeof m === 'object' && m !== null && 'config' in m)
      void serve((m as { config: ServerConfig }).config).then((port) => process.send!({ port }));
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
