import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEchoServer } from '../src/build-server.js';
import { closeClients, connectClients, echoLoad } from '../src/ws/echo-client.js';

// The shared load generator runs the built entry point with plain `node` (CORRAL_CMD): it must
// run without a TypeScript loader, listen where PORT says, echo on /echo, fan out on /broadcast.

// Built next to the real one (bench/dist, not committed): Node resolves its imports from there.
const out = join(import.meta.dirname, '..', 'dist', `ws-echo-server.test-${process.pid}.js`);
let server: ChildProcess;
let port: number;

beforeAll(async () => {
  await buildEchoServer(out);
  server = spawn(process.execPath, [out], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  port = await new Promise<number>((resolve, reject) => {
    let err = '';
    server.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const line = err.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
    server.on('exit', (code) => reject(new Error(`the built server exited (${code}): ${err}`)));
  });
}, 30_000);

afterAll(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await rm(out, { force: true });
});

describe('the built load-generator entry point', () => {
  it('bundles Corral and imports nothing TypeScript', async () => {
    const code = await readFile(out, 'utf8');
    expect(code).not.toMatch(/from ["']@corral\//);
    expect(code).not.toMatch(/\.ts["']/);
    expect(code).toMatch(/from ["']pino["']/); // other packages stay imports
  });

  it('echoes text as text and binary as binary on /echo', async () => {
    expect(port).toBeGreaterThan(0);
    const sockets = await connectClients(`ws://127.0.0.1:${port}/echo`, 4);
    expect(await echoLoad(sockets, { messages: 40, inFlight: 2, bytes: 70_000, binary: true })).toBe(40);
    expect(await echoLoad(sockets, { messages: 40, inFlight: 2, bytes: 32, binary: false })).toBe(40);
    await closeClients(sockets);
  });

  it('sends every /broadcast message to every /broadcast connection, the sender included', async () => {
    const sockets = await connectClients(`ws://127.0.0.1:${port}/broadcast`, 3);
    const got = sockets.map(
      (ws) =>
        new Promise<string>((resolve) =>
          ws.once('message', (data, binary) => resolve(`${binary}:${String(data)}`)),
        ),
    );
    sockets[1]!.send('hello all');
    expect(await Promise.all(got)).toEqual(['false:hello all', 'false:hello all', 'false:hello all']);
    await closeClients(sockets);
  });

  it('exits on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
