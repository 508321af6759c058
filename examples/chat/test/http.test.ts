import { afterEach, describe, expect, it } from 'vitest';
import { startTestChat, type TestChat } from './fixture.js';

describe('HTTP side: the page and the admin API on node:http', () => {
  let chat: TestChat;
  afterEach(() => chat.stop());

  it('serves the page and its script from public/, and 404 for anything else', async () => {
    chat = await startTestChat();
    const page = await fetch(chat.base);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script src="/app.js"></script>');
    const script = await fetch(`${chat.base}app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('/ws?');
    expect((await fetch(`${chat.base}../src/app.ts`)).status).toBe(404);
    expect((await fetch(`${chat.base}nope`)).status).toBe(404);
  });

  it('POST /admin/notice?user=<name> sends the notice to that connection by its pid, from plain code', async () => {
    chat = await startTestChat();
    const [alice] = await chat.join('alice');
    const [bob] = await chat.join('bob');
    const res = await fetch(`${chat.base}admin/notice?user=bob`, {
      method: 'POST',
      body: '  restart at noon \n',
    });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe(`notice sent to bob (${chat.node.whereis('user:bob')})\n`);
    expect(await bob.next('notice')).toEqual({ type: 'notice', text: 'restart at noon' });

    // Only bob: a line said after the notice reaches alice with no notice before it.
    bob.send({ type: 'say', text: 'ok' });
    await alice.next('message', (m) => m.text === 'ok');
    expect(alice.frames.some((f) => f.type === 'notice')).toBe(false);
  });

  it('answers the admin notice 404 for a user not online, 400 without text, 405 for GET, 413 when too long', async () => {
    chat = await startTestChat();
    await chat.join('alice');
    const post = (q: string, body: string) =>
      fetch(`${chat.base}admin/notice?${q}`, { method: 'POST', body });
    const nobody = await post('user=nobody', 'hello');
    expect([nobody.status, await nobody.text()]).toEqual([404, 'nobody is not online\n']);
    expect((await post('user=alice', '   ')).status).toBe(400);
    expect((await post('user=alice', 'x'.repeat(5000))).status).toBe(413);
    expect((await fetch(`${chat.base}admin/notice?user=alice`)).status).toBe(405);
  });

  it('GET /admin/rooms lists the rooms with their pids and member counts', async () => {
    chat = await startTestChat();
    await chat.join('alice');
    await chat.join('bob');
    await chat.join('carol', 'garden');
    const rooms = (await (await fetch(`${chat.base}admin/rooms`)).json()) as { room: string }[];
    expect(rooms.sort((a, b) => a.room.localeCompare(b.room))).toEqual([
      { room: 'garden', pid: String(chat.node.whereis('room:garden')), members: 1 },
      { room: 'lobby', pid: String(chat.node.whereis('room:lobby')), members: 2 },
    ]);
  });
});
