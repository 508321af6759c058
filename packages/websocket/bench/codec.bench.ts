/**
 * Micro-benchmark of the codec's hot paths. Run: `npx tsx packages/websocket/bench/codec.bench.ts`.
 *
 * Reports throughput and, where there is one, the ratio to a peer run in the same process: `ws`'s
 * Receiver (a devDependency; without its optional native `bufferutil` addon, as installed here)
 * and the plain byte loop `ws` falls back to for masking.
 */

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { FrameParser } from '../src/codec/frame-parser.js';
import { encodeFrame, encodeOutFrames } from '../src/codec/frame-serializer.js';
import { mask, unmask } from '../src/codec/mask.js';
import { Opcode, type OutFrame } from '../src/codec/opcodes.js';

const KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

// @types/ws does not declare the Receiver; this is the part used here.
interface WsReceiver {
  on(event: 'message', listener: () => void): void;
  write(chunk: Buffer): void;
}
const ws = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => WsReceiver;
};

/** Runs `fn` (which does `work` units per call) for at least `ms` after a warm-up; units per second. */
function measure(fn: () => void, work: number, ms = 1000): number {
  const warmUntil = performance.now() + ms / 4;
  while (performance.now() < warmUntil) fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn();
    calls++;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (calls * work) / (elapsed / 1000);
}

function naiveUnmask(buffer: Buffer, key: Buffer): void {
  for (let i = 0; i < buffer.length; i++) buffer[i]! ^= key[i & 3]!;
}

const rows: [string, string, string][] = [];
const fmt = (n: number, unit: string) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)} G${unit}`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(2)} M${unit}`
      : `${(n / 1e3).toFixed(1)} k${unit}`;

// 1. Parse 1M small masked frames, arriving as 64 KiB socket reads.
function parseSmallFrames(type: 'text' | 'binary'): void {
  const frame = encodeFrame(type === 'text' ? Opcode.Text : Opcode.Binary, 'Hello, world', { maskKey: KEY });
  const COUNT = 1_000_000;
  const perChunk = Math.floor(65536 / frame.length);
  const template = Buffer.concat(Array.from({ length: perChunk }, () => frame));
  const chunks: Buffer[] = [];
  for (let n = 0; n < COUNT; n += perChunk) chunks.push(Buffer.from(template));
  const total = chunks.length * perChunk;
  const parser = new FrameParser({ role: 'server' });
  let frames = 0;
  const run = () => {
    for (const chunk of chunks) {
      // Re-mask in place (the parser unmasked it last time) to parse the same bytes again.
      chunk.set(template);
      parser.push(chunk);
      for (let r = parser.next(); r.kind === 'frame'; r = parser.next()) frames++;
    }
  };
  const perSecond = measure(run, total, 2000);
  // Cost of re-copying the template (not parsing): measured apart and subtracted.
  const copyPerSecond = measure(() => {
    for (const chunk of chunks) chunk.set(template);
  }, total);
  const parseOnly = 1 / (1 / perSecond - 1 / copyPerSecond);
  if (frames === 0) throw new Error('parsed nothing');
  // The same bytes through ws's Receiver, in the same run.
  const receiver = new ws.Receiver({ isServer: true, maxPayload: 0 });
  let wsFrames = 0;
  receiver.on('message', () => {
    wsFrames++;
  });
  const wsPerSecond = measure(
    () => {
      for (const chunk of chunks) {
        chunk.set(template);
        receiver.write(chunk);
      }
    },
    total,
    2000,
  );
  if (wsFrames === 0) throw new Error('ws parsed nothing');
  const wsParseOnly = 1 / (1 / wsPerSecond - 1 / copyPerSecond);
  rows.push([
    `parse ${total.toLocaleString()} masked ${frame.length}-byte ${type} frames (64 KiB chunks)`,
    `${fmt(parseOnly, 'frames/s')}`,
    `${(1e9 / parseOnly).toFixed(0)} ns/frame; ${(parseOnly / wsParseOnly).toFixed(1)}x ws (${fmt(wsParseOnly, 'frames/s')})`,
  ]);
}

// 2. Parse 64 KiB masked binary frames.
function parseLargeFrames(): void {
  const payload = Buffer.alloc(65536, 0x61);
  const frame = encodeFrame(Opcode.Binary, payload, { maskKey: KEY });
  const parser = new FrameParser({ role: 'server' });
  const chunk = Buffer.from(frame);
  const perSecond = measure(() => {
    chunk.set(frame);
    parser.push(chunk);
    if (parser.next().kind !== 'frame') throw new Error('no frame');
  }, 65536);
  rows.push([
    'parse masked 64 KiB binary frames',
    `${fmt(perSecond, 'B/s')}`,
    `${fmt(perSecond / 65536, 'frames/s')}`,
  ]);
}

// 3. Unmask and mask 64 KiB payloads, against the byte loop.
function masking(): void {
  const buffer = Buffer.alloc(65536, 0x55);
  const ours = measure(() => unmask(buffer, KEY), 65536);
  const naive = measure(() => naiveUnmask(buffer, KEY), 65536);
  rows.push([
    'unmask 64 KiB in place',
    `${fmt(ours, 'B/s')}`,
    `${(ours / naive).toFixed(1)}x the byte loop (${fmt(naive, 'B/s')})`,
  ]);
  const source = Buffer.alloc(65536, 0x55);
  const output = Buffer.alloc(65536 + 14);
  const masked = measure(() => mask(source, KEY, output, 14, 65536), 65536);
  rows.push(['mask 64 KiB into a frame buffer (offset 14)', `${fmt(masked, 'B/s')}`, '']);
  const small = Buffer.alloc(125, 0x55);
  const smallRate = measure(() => unmask(small, KEY), 1);
  rows.push(['unmask 125 bytes', `${fmt(smallRate, 'ops/s')}`, `${(1e9 / smallRate).toFixed(0)} ns/op`]);
}

// 4. Serialise a server reply of small frames for one write.
function serialise(): void {
  const reply: OutFrame[] = [
    ['text', 'Hello, world'],
    ['binary', Buffer.alloc(64)],
    'pong',
    ['text', 'κόσμε'],
  ];
  let bytes = 0;
  const perSecond = measure(() => {
    for (const buffer of encodeOutFrames(reply)) bytes += buffer.length;
  }, reply.length);
  if (bytes === 0) throw new Error('encoded nothing');
  rows.push([
    'encode small server frames (4 per write)',
    `${fmt(perSecond, 'frames/s')}`,
    `${(1e9 / perSecond).toFixed(0)} ns/frame`,
  ]);
}

parseSmallFrames('text');
parseSmallFrames('binary');
parseLargeFrames();
masking();
serialise();

const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(`Node ${process.version}, ${process.arch}`);
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
