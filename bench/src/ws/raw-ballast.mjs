/**
 * The shared load generator's pure-JS ceiling (`raw-node-js`, from ../shared/bench) with
 * ballast: every accepted connection also keeps `BALLAST_BYTES` (default 440) of plain heap,
 * about what Corral keeps per connection beyond Node's socket. It shows what V8's young
 * generation makes of a few hundred bytes of per-connection state in the idle-memory
 * comparison (docs/benchmarks.md, "What is left"). Plain JavaScript: no build step.
 *
 *   export CORRAL_CMD='BALLAST_BYTES=300 node bench/src/ws/raw-ballast.mjs'
 *   ../shared/bench/compare.sh -r 3 -s "corral raw-node-js" -n idle-ballast -- -mode connect -c 10000 -hold 5
 */
import { createRequire } from 'node:module';
import net from 'node:net';

const bytes = Number(process.env.BALLAST_BYTES ?? 440);
// A JSArray (32 bytes) over a FixedDoubleArray (16 bytes of header, 8 per element).
const slots = Math.max(0, Math.round((bytes - 48) / 8));
const kept = [];
const createServer = net.createServer;
net.createServer = (...args) =>
  createServer(...args).on('connection', () => {
    kept.push(new Array(slots).fill(0.5));
  });
createRequire(import.meta.url)(process.env.RAW_ECHO ?? '../../../../shared/bench/servers/raw-echo.js');
