/**
 * The server side of the self-contained WebSocket suites: what both server children (Corral's
 * and `ws`'s) share. A server child is started by `server-child.ts` as
 * `node --expose-gc --import tsx <server file>` with `PORT` (0: any free port) and an IPC
 * channel; once listening it prints one JSON line `{"listening":true,"server":...,"port":...}`
 * on stdout, and it answers queries over IPC, so memory is measured inside the server, never
 * in the process that holds the clients:
 *
 * - `'memory'` → {@link MemoryReport}: heap and RSS after a full GC, and the live connections;
 * - `'cpu'`    → {@link CpuReport}: the server's CPU time so far.
 *
 * It exits when its parent goes away (the IPC channel closes), so a killed benchmark never
 * leaves a server behind.
 */

/** What a server child answers to `'memory'`. */
export interface MemoryReport {
  heapUsed: number;
  rss: number;
  external: number;
  /** Connections the server holds open (for Corral: live connection processes). */
  connections: number;
}

/** What a server child answers to `'cpu'`: user + system CPU microseconds since it started. */
export interface CpuReport {
  cpuMicros: number;
}

export type Query = 'memory' | 'cpu';

/** The line a server child prints once listening. */
export interface ListeningLine {
  listening: true;
  server: string;
  port: number;
  node: string;
}

function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('a server child needs --expose-gc to measure memory');
  // Twice: the first pass may leave objects that only weak callbacks or finalizers freed.
  gc();
  gc();
}

/** Lets connection set-up still in flight (handshakes, first frames) run out before measuring. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * Prints the listening line and answers queries until the parent goes away.
 *
 * @example
 * serveQueries('ws', port, () => wss.clients.size);
 */
export function serveQueries(
  server: string,
  port: number,
  connections: () => number | Promise<number>,
): void {
  const send = process.send?.bind(process);
  if (send === undefined)
    throw new Error(`${server} server child: start it with an IPC channel (server-child.ts)`);
  process.on('message', (q: Query) => {
    void (async () => {
      if (q === 'cpu') {
        const { user, system } = process.cpuUsage();
        send({ cpuMicros: user + system } satisfies CpuReport);
        return;
      }
      await settle();
      fullGc();
      const m = process.memoryUsage();
      const report: MemoryReport = {
        heapUsed: m.heapUsed,
        rss: m.rss,
        external: m.external,
        connections: await connections(),
      };
      send(report);
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  const line: ListeningLine = { listening: true, server, port, node: process.version };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
