/**
 * permessage-deflate against a real browser: headless Chromium loads a page that opens a
 * WebSocket to the server, sends text and binary messages small and large, checks every echo,
 * and reports back. The server side checks Chromium's own offer, that Chromium's messages
 * arrived compressed (RSV1) and inflated right, and that ours went out compressed and Chromium
 * inflated them. Skipped where no Chromium is installed (set CHROMIUM_BIN to point at one).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLogger, createNode } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameParser } from '../../src/codec/frame-parser.js';
import type { Handler } from '../../src/handler/handler.js';
import { handleUpgrade } from '../../src/server/upgrade.js';
import { closeTracked, track, trackServer } from '../server/support.js';

afterEach(closeTracked);

const CHROMIUM = [
  process.env.CHROMIUM_BIN,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
]
  .filter((p): p is string => p !== undefined && p.length > 0)
  .find((p) => existsSync(p));

/** The page: sends each message, checks each echo, then reports `result:{...}`. */
const PAGE = `<!doctype html><meta charset="utf-8"><script>
const ws = new WebSocket('ws://' + location.host + '/ws');
ws.binaryType = 'arraybuffer';
const bytes = new Uint8Array(100000).map((_, i) => (i * 31 + (i >> 7)) & 255);
const messages = ['hello', 'chromium '.repeat(20000), 'é'.repeat(1500), bytes, '', 'the end'];
let next = 0, ok = 0;
const same = (a, b) => typeof b === 'string' ? a === b
  : a instanceof ArrayBuffer && a.byteLength === b.length && new Uint8Array(a).every((x, i) => x === b[i]);
ws.onopen = () => ws.send(messages[next]);
ws.onmessage = (e) => {
  if (same(e.data, messages[next])) ok++;
  if (++next < messages.length) ws.send(messages[next]);
  else ws.send('result:' + JSON.stringify({ extensions: ws.extensions, ok, of: messages.length }));
};
</script>`;

describe.skipIf(CHROMIUM === undefined)('interop with headless Chromium', () => {
  it("negotiates from Chromium's offer, inflates its compressed messages, and Chromium inflates ours", async () => {
    const node = createNode({ name: 'chromium', logger: captureLogger() });
    track(() => node.shutdown());
    const seen: [string, number][] = [];
    let result: { extensions: string; ok: number; of: number } | undefined;
    const echo: Handler<null> = {
      init: (req, s) => ['websocket', req, s, { compress: true, deflateOpts: { threshold: 100 } }],
      websocketHandle(frame, s) {
        if (frame[0] === 'text' && frame[1].startsWith('result:')) {
          result = JSON.parse(frame[1].slice(7));
          return ['ok', s];
        }
        if (frame[0] !== 'text' && frame[0] !== 'binary') return ['ok', s];
        seen.push([frame[0], frame[1].length]);
        return ['reply', frame, s];
      },
    };
    const offers: (string | undefined)[] = [];
    const inRsv1: boolean[] = [];
    const outRsv1: boolean[] = [];
    const http = trackServer(
      createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE)),
    );
    http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      track(() => socket.destroy());
      offers.push(req.headers['sec-websocket-extensions']);
      // Both directions' data frames, parsed only for their RSV1 bit.
      const incoming = new FrameParser({
        role: 'server',
        rsv1Allowed: true,
        validateUtf8: false,
        maxFrameSize: 1e9,
      });
      const outgoing = new FrameParser({
        role: 'client',
        rsv1Allowed: true,
        validateUtf8: false,
        maxFrameSize: 1e9,
      });
      const record = (parser: FrameParser, bits: boolean[], chunk: Buffer): void => {
        parser.push(Buffer.from(chunk));
        for (let r = parser.next(); r.kind === 'frame'; r = parser.next())
          if (r.type === 'text' || r.type === 'binary') bits.push(r.rsv1);
      };
      socket.on('data', (chunk: Buffer) => record(incoming, inRsv1, chunk));
      let first = true;
      const write = socket.write;
      socket.write = function spied(this: Socket, chunk: unknown, ...rest: unknown[]): boolean {
        if (!first) record(outgoing, outRsv1, chunk as Buffer);
        first = false; // the 101
        return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      } as Socket['write'];
      void handleUpgrade(node, req, socket, head, echo, null);
    });
    http.listen(0, '127.0.0.1');
    await new Promise((resolve) => http.once('listening', resolve));
    const port = (http.address() as AddressInfo).port;

    const profile = mkdtempSync(join(tmpdir(), 'corral-chromium-'));
    const browser: ChildProcess = spawn(
      CHROMIUM!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-breakpad',
        '--disable-crash-reporter',
        `--user-data-dir=${profile}`,
        `http://127.0.0.1:${port}/`,
      ],
      // Its own process group: Chromium's helper processes are killed with it.
      { stdio: 'ignore', detached: true },
    );
    track(async () => {
      if (browser.exitCode === null && browser.signalCode === null) {
        const exited = once(browser, 'exit');
        try {
          process.kill(-browser.pid!, 'SIGKILL');
        } catch {
          browser.kill('SIGKILL');
        }
        await exited;
      }
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    });

    // Waits on the page's report; the bound (Chromium's start-up on a busy machine) only turns a hang into a failure.
    const deadline = Date.now() + 25_000;
    while (result === undefined) {
      if (Date.now() > deadline) throw new Error('the page did not report within 25 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(offers).toEqual(['permessage-deflate; client_max_window_bits']);
    expect(result).toEqual({ extensions: 'permessage-deflate', ok: 6, of: 6 });
    expect(seen).toEqual([
      ['text', 5],
      ['text', 180_000],
      ['text', 1500],
      ['binary', 100_000],
      ['text', 0],
      ['text', 7],
    ]);
    // Chromium compresses what it sends (the result message included); we compress from 100 bytes on.
    expect(inRsv1.filter(Boolean).length).toBeGreaterThanOrEqual(4);
    expect(inRsv1[1]).toBe(true);
    expect(outRsv1).toEqual([false, true, true, true, false, false]);
  }, 30_000);
});
