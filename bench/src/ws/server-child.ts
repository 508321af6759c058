/**
 * Starts a WebSocket server child (see `server-ipc.ts`) and talks to it: the bench child's
 * side. Each server runs alone in its own Node.js process, so the clients' work, the
 * server's work and the server's memory are never mixed.
 *
 * @example
 * const server = await startServer('corral');
 * const { heapUsed, connections } = await server.query('memory');
 * await server.stop();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CpuReport, ListeningLine, MemoryReport } from './server-ipc.js';

/** The server children there are: Corral's `listen` and `ws`'s `WebSocketServer`. */
export const SERVERS = {
  corral: fileURLToPath(new URL('./corral-server.ts', import.meta.url)),
  ws: fileURLToPath(new URL('./ws-server.ts', import.meta.url)),
} as const;

export type ServerName = keyof typeof SERVERS;

export interface ServerChild {
  readonly name: ServerName;
  readonly port: number;
  readonly pid: number;
  /** `ws://127.0.0.1:<port><path>` */
  url(path: string): string;
  query(q: 'memory'): Promise<MemoryReport>;
  query(q: 'cpu'): Promise<CpuReport>;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); resolves once it has exited. */
  stop(): Promise<void>;
}

const benchDir = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/** Spawns `node --expose-gc --import tsx <server file>` with PORT=0 and waits for its listening line. */
export function startServer(name: ServerName): Promise<ServerChild> {
  const args = ['--expose-gc', '--import', 'tsx', SERVERS[name]];
  // Under `--one-core` the bench child (the clients) is pinned to CPU 0 and its children would
  // inherit that: the server goes to CPU 1 instead, as the shared load generator pins them apart.
  const [cmd, argv] =
    process.env.CORRAL_BENCH_ONE_CORE === '1'
      ? ['taskset', ['-c', '1', process.execPath, ...args]]
      : [process.execPath, args];
  const child = spawn(cmd, argv, {
    cwd: benchDir,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name} server child ${why}; stdout: ${out.slice(0, 500)}`));
    };
    const timer = setTimeout(() => fail(`not listening after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (e) => fail(`failed to start: ${e.message}`));
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal}) before listening`));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      out += text;
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"listening"'));
      if (line === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve(serverChild(name, child, (JSON.parse(line) as ListeningLine).port));
    });
  });
}

function serverChild(name: ServerName, child: ChildProcess, port: number): ServerChild {
  // One query at a time: answers come back in order.
  const waiting: ((answer: unknown) => void)[] = [];
  child.on('message', (answer) => waiting.shift()?.(answer));
  return {
    name,
    port,
    pid: child.pid!,
    url: (path) => `ws://127.0.0.1:${port}${path}`,
    query: ((q: 'memory' | 'cpu') =>
      new Promise<unknown>((resolve, reject) => {
        if (!child.connected) {
          reject(new Error(`${name} server child is gone`));
          return;
        }
        waiting.push(resolve);
        child.send(q);
      })) as ServerChild['query'],
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
