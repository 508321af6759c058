/**
 * The client side of the self-contained WebSocket suites: `ws` client connections, driven the
 * same way against every server, with every echo checked.
 *
 * An echo load sends `messages` messages in all over the connections, each connection keeping
 * `inFlight` messages outstanding, and resolves with the number of echoes once the last has
 * come back. Payloads cycle through a pool of distinct buffers (a sequence number, then
 * filler), so each echo is compared in full with what was sent at that position: a lost,
 * repeated, reordered, truncated or altered message, a text/binary mix-up, a close or a socket
 * error fails the load.
 *
 * @example
 * const sockets = await connectClients(server.url('/echo'), 50);
 * await echoLoad(sockets, { messages: 100_000, inFlight: 16, bytes: 32, binary: false }); // 100000
 * await closeClients(sockets);
 */
import { WebSocket } from 'ws';

export interface EchoLoad {
  /** Messages to send (and get back) in all, over all connections. */
  messages: number;
  /** Messages outstanding per connection. */
  inFlight: number;
  /** Payload bytes per message. */
  bytes: number;
  /** Binary frames, or text frames (ASCII payloads). */
  binary: boolean;
}

/** Distinct payloads per size: more than any `inFlight`, so neighbouring messages always differ. */
const POOL = 64;

/** Opens `n` connections, `concurrency` handshakes at a time; resolves once all are open. */
export async function connectClients(url: string, n: number, concurrency = 100): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, n - i) }, () => openOne(url));
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

function openOne(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
    ws.once('open', () => {
      ws.removeAllListeners('error');
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

/** Closes every connection (close handshake) and resolves once each is closed. */
export async function closeClients(sockets: readonly WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close(1000);
          // A server that does not answer the close frame: drop the socket.
          setTimeout(() => ws.terminate(), 2_000).unref();
        }),
    ),
  );
}

/** `POOL` payloads of `bytes` bytes: the pool index in decimal, then filler (printable ASCII). */
export function payloads(bytes: number): Buffer[] {
  return Array.from({ length: POOL }, (_, i) => {
    const b = Buffer.alloc(bytes, 97 + (i % 26));
    b.write(`${i}:`.slice(0, bytes), 'latin1');
    return b;
  });
}

/** Runs one echo load over `sockets`; resolves with the number of messages echoed intact. */
export function echoLoad(sockets: readonly WebSocket[], load: EchoLoad): Promise<number> {
  const pool = payloads(load.bytes);
  const n = sockets.length;
  const opts = { binary: load.binary, compress: false };
  return new Promise((resolve, reject) => {
    let echoed = 0;
    let done = false;
    const cleanups: (() => void)[] = [];
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      for (const c of cleanups) c();
      if (error === undefined) resolve(echoed);
      else reject(error);
    };
    if (load.messages === 0) return finish();
    for (let c = 0; c < n; c++) {
      const ws = sockets[c]!;
      // This connection's share: the first `messages % n` connections take one more.
      const quota = Math.floor(load.messages / n) + (c < load.messages % n ? 1 : 0);
      if (quota === 0) continue;
      let sent = 0;
      let received = 0;
      const sendNext = (): void => {
        ws.send(pool[(c + sent) % POOL]!, opts);
        sent++;
      };
      const onMessage = (data: Buffer, isBinary: boolean): void => {
        const expected = pool[(c + received) % POOL]!;
        if (isBinary !== load.binary || !expected.equals(data)) {
          const start = JSON.stringify(data.subarray(0, 16).toString('latin1'));
          const kind = isBinary ? 'binary' : 'text';
          finish(
            new Error(
              `connection ${c}, message ${received}: the echo differs from what was sent ` +
                `(got ${kind}, ${data.length} bytes, starting ${start})`,
            ),
          );
          return;
        }
        received++;
        if (received > quota) {
          finish(new Error(`connection ${c}: more echoes than messages sent`));
          return;
        }
        if (sent < quota) sendNext();
        if (++echoed === load.messages) finish();
      };
      const onClose = (code: number): void =>
        finish(new Error(`connection ${c} closed (${code}) during the load`));
      const onError = (e: Error): void => finish(new Error(`connection ${c}: ${e.message}`));
      ws.on('message', onMessage);
      ws.on('close', onClose);
      ws.on('error', onError);
      cleanups.push(() => {
        ws.off('message', onMessage);
        ws.off('close', onClose);
        ws.off('error', onError);
      });
      for (let i = 0; i < Math.min(load.inFlight, quota); i++) sendNext();
    }
  });
}
