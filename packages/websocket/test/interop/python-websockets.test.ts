import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { captureLogger, createNode } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import type { Handler } from '../../src/handler/handler.js';
import type { TerminateReason } from '../../src/handler/terminate-reason.js';
import { type Listener, listen } from '../../src/server/listener.js';

// Interop with a client we did not write: Python's `websockets` from Debian's python3-websockets
// (`.ci/run` installs it). Without it, outside CI, the test is skipped with this reason.
const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./python-client.py', import.meta.url));
const available = existsSync(PYTHON) && (await hasModule());
const mustRun = process.env.CI !== undefined;

function hasModule(): Promise<boolean> {
  return new Promise((resolve) =>
    execFile(PYTHON, ['-c', 'import websockets'], (err) => resolve(err === null)),
  );
}

function runClient(url: string, scenario: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    execFile(PYTHON, [script, url, scenario], { timeout: 20_000 }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`${err.message}\n${stderr}`))
        : resolve(JSON.parse(stdout) as Record<string, unknown>),
    ),
  );
}

describe.runIf(available || mustRun)('interop with Python websockets (python3-websockets)', () => {
  let listener: Listener | undefined;
  afterEach(async () => {
    await listener?.close();
  });

  it('echoes text (ASCII, UTF-8, 70 KB) and a 1 MiB binary, answers its ping, and sees its close code', async () => {
    const node = createNode({ name: 'py', logger: captureLogger() });
    const reasons: TerminateReason[] = [];
    const echo: Handler<null> = {
      init: (req, s) => {
        if (req.protocols.includes('chat')) req.selectProtocol('chat');
        return ['websocket', req, s, { maxFrameSize: 4 * 1024 * 1024 }];
      },
      websocketHandle: (f, s) => (f[0] === 'text' || f[0] === 'binary' ? ['reply', f, s] : ['ok', s]),
      terminate: (reason) => {
        reasons.push(reason);
      },
    };
    listener = await listen({ node, port: 0, host: '127.0.0.1', routes: { '/echo': [echo, null] } });
    const out = await runClient(`ws://127.0.0.1:${listener.port}/echo`, 'plain');
    expect(out).toEqual({
      subprotocol: 'chat',
      extensions: [],
      echoes: [true, true, true, true],
      pong: true,
      close_code: 4000,
    });
    await expect.poll(() => reasons.length).toBe(1);
    const [reason] = reasons;
    expect(Array.isArray(reason) && reason[0] === 'remote' && reason[1] === 4000).toBe(true);
    expect(String((reason as [string, number, Buffer])[2])).toBe('done');
    node.shutdown();
  });

  it('negotiates permessage-deflate with its offer and round-trips the same messages compressed (RFC 7692)', async () => {
    const node = createNode({ name: 'py', logger: captureLogger() });
    const echo: Handler<null> = {
      init: (req, s) => {
        if (req.protocols.includes('chat')) req.selectProtocol('chat');
        return ['websocket', req, s, { compress: true, maxFrameSize: 4 * 1024 * 1024 }];
      },
      websocketHandle: (f, s) => (f[0] === 'text' || f[0] === 'binary' ? ['reply', f, s] : ['ok', s]),
    };
    listener = await listen({ node, port: 0, host: '127.0.0.1', routes: { '/echo': [echo, null] } });
    const out = await runClient(`ws://127.0.0.1:${listener.port}/echo`, 'plain-deflate');
    expect(out).toEqual({
      subprotocol: 'chat',
      extensions: ['PerMessageDeflate'],
      echoes: [true, true, true, true],
      pong: true,
      close_code: 4000,
    });
    node.shutdown();
  });
});
