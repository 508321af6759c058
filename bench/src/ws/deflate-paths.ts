/**
 * The measurements behind two permessage-deflate choices (docs/decisions.md): synchronous zlib
 * calls for small messages, and compressing a message of n bytes against the last max(4 KiB, n)
 * bytes of history rather than the whole window.
 *
 * 1. Per message, for JSON-like messages of each size: a fresh zlib context primed with a
 *    32 KiB history and called synchronously (what Corral does for small messages) against a
 *    live zlib stream fed with write + flush(Z_SYNC_FLUSH) through the thread pool (what `ws`
 *    does), inflating and deflating, one message at a time; CPU time (all threads) and wall time.
 * 2. Deflate CPU per message and compressed ratio by history length, per message size and level.
 *
 *   npx tsx bench/src/ws/deflate-paths.ts
 */
import {
  constants,
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  deflateRawSync,
  type InflateRaw,
  inflateRawSync,
  type ZlibOptions,
} from 'node:zlib';
import { jsonMessages } from './deflate-echo-messages.js';

const { Z_SYNC_FLUSH } = constants;
const TAIL = Buffer.from([0, 0, 0xff, 0xff]);

/**
 * Per-call CPU time (all threads) and wall time of `fn`, the best of 5 runs of `n` calls: the
 * minimum is what the code costs; other processes on the machine only ever add to it.
 */
async function measure(label: string, n: number, fn: (i: number) => void | Promise<void>): Promise<void> {
  for (let i = 0; i < Math.min(50, n); i++) await fn(i); // warm-up
  let bestCpu = Number.POSITIVE_INFINITY;
  let bestWall = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn(i);
    bestWall = Math.min(bestWall, ((performance.now() - t0) * 1000) / n);
    const cpu = process.cpuUsage(cpu0);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / n);
  }
  console.log(`| ${label} | ${bestCpu.toFixed(1)} | ${bestWall.toFixed(1)} |`);
}

function through(stream: DeflateRaw | InflateRaw, input: Buffer): Promise<void> {
  return new Promise((resolve) => {
    stream.write(input);
    stream.flush(Z_SYNC_FLUSH, () => resolve());
  });
}

console.log(`\n1. One message at a time, level 9, best of 5 runs (Node ${process.version})\n`);
console.log('| message, operation, how | CPU µs | wall µs |');
console.log('| --- | ---: | ---: |');
for (const size of [1024, 16 * 1024]) {
  const messages = jsonMessages(size, 64).map((m) => Buffer.from(m));
  // What a client with context takeover sends: each message compressed against the earlier ones.
  const sender = createDeflateRaw({ level: 6 });
  const chunks: Buffer[] = [];
  sender.on('data', (c: Buffer) => chunks.push(c));
  const compressed: Buffer[] = [];
  for (const m of messages) {
    await through(sender, m);
    const out = Buffer.concat(chunks.splice(0));
    compressed.push(out.subarray(0, out.length - 4));
  }
  sender.close();
  const n = size > 4096 ? 400 : 3000;
  const history = Buffer.concat(messages).subarray(-32768);

  await measure(`${size / 1024} KiB inflate, sync, fresh context + 32 KiB history (Corral)`, n, (i) => {
    // Message i of the cycle, with the 32 KiB before it as history (the cycle wraps: close enough
    // for timing, and the output is not checked here).
    inflateRawSync(Buffer.concat([compressed[i % 64]!, TAIL]), {
      finishFlush: Z_SYNC_FLUSH,
      dictionary: history,
      chunkSize: Math.min(16384, Math.max(1024, compressed[i % 64]!.length * 8)),
    });
  });
  const live = createInflateRaw();
  live.on('data', () => {});
  let k = 0;
  await measure(`${size / 1024} KiB inflate, live stream, write + flush (ws)`, n, async () => {
    await through(live, Buffer.concat([compressed[k++ % 64]!, TAIL]));
    if (k % 64 === 0) live.reset();
  });
  live.close();

  await measure(
    `${size / 1024} KiB deflate, sync, fresh context + max(4 KiB, n) history (Corral)`,
    n,
    (i) => {
      const options: ZlibOptions = {
        level: 9,
        finishFlush: Z_SYNC_FLUSH,
        chunkSize: Math.min(16384, size + 64),
        dictionary: history.subarray(-Math.max(4096, size)),
      };
      deflateRawSync(messages[i % 64]!, options);
    },
  );
  const liveDeflate = createDeflateRaw({ level: 9 });
  liveDeflate.on('data', () => {});
  await measure(`${size / 1024} KiB deflate, live stream, write + flush (ws)`, n, (i) =>
    through(liveDeflate, messages[i % 64]!),
  );
  liveDeflate.close();
}

console.log(
  '\n2. Deflate by history length: CPU µs per message (best of 3) / compressed size ÷ original size\n',
);
const HISTORIES = [0, 1024, 4096, 8192, 16384, 32768];
console.log(`| level | message | ${HISTORIES.map((h) => `${h / 1024} KiB history`).join(' | ')} |`);
console.log(`| --- | --- | ${HISTORIES.map(() => '---:').join(' | ')} |`);
for (const level of [9, 6]) {
  for (const size of [1024, 4096, 16384, 65536]) {
    // 256 distinct messages: a cycle longer than the window, so no message finds itself.
    const messages = jsonMessages(size, Math.max(64, Math.ceil((4 * 32768) / size))).map((m) =>
      Buffer.from(m),
    );
    const n = Math.max(100, Math.min(3000, (4 << 20) / size));
    const cells: string[] = [];
    for (const length of HISTORIES) {
      let best = Number.POSITIVE_INFINITY;
      let ratio = 0;
      for (let run = 0; run < 3; run++) {
        let history = Buffer.alloc(0);
        let total = 0;
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < n; i++) {
          const m = messages[i % messages.length]!;
          const options: ZlibOptions = {
            level,
            finishFlush: Z_SYNC_FLUSH,
            chunkSize: Math.min(16384, size + 64),
          };
          if (history.length > 0 && length > 0) options.dictionary = history.subarray(-length);
          total += deflateRawSync(m, options).length - 4;
          history = Buffer.concat([history, m]).subarray(-32768);
        }
        const cpu = process.cpuUsage(cpu0);
        best = Math.min(best, (cpu.user + cpu.system) / n);
        ratio = total / n / size;
      }
      cells.push(`${best.toFixed(0)} / ${ratio.toFixed(3)}`);
    }
    console.log(`| ${level} | ${size / 1024} KiB | ${cells.join(' | ')} |`);
  }
}
