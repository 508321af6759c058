import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { NAME_TAKEN_CLOSE } from '../src/protocol.js';
import { reports, startTestChat, type TestChat } from './fixture.js';

describe('chat connection handler (one process per browser connection)', () => {
  let chat: TestChat;
  afterEach(() => chat.stop());

  it('signs in, joins the room with its history and members, and relays lines to every member', async () => {
    chat = await startTestChat();
    const [alice, aliceJoined] = await chat.join('alice');
    expect(aliceJoined).toEqual({
      type: 'joined',
      room: 'lobby',
      history: [],
      members: ['alice'],
      restarts: 0,
      rejoined: false,
    });
    alice.send({ type: 'say', text: 'first!' });
    await alice.next('message');

    const [bob, bobJoined] = await chat.join('bob');
    expect(bobJoined.history.map((l) => [l.from, l.text])).toEqual([['alice', 'first!']]);
    expect(bobJoined.members).toEqual(['alice', 'bob']);
    expect(await alice.next('members')).toMatchObject({ room: 'lobby', members: ['alice', 'bob'] });

    bob.send({ type: 'say', text: 'hi alice' });
    for (const c of [alice, bob])
      expect(await c.next('message')).toMatchObject({ from: 'bob', text: 'hi alice' });
  });

  it('delivers a direct message to its recipient only, by the pid registered as user:<name>', async () => {
    chat = await startTestChat();
    const [alice] = await chat.join('alice');
    const [bob] = await chat.join('bob');
    const [carol] = await chat.join('carol');

    alice.send({ type: 'dm', to: 'bob', text: 'psst' });
    expect(await bob.next('dm')).toEqual({ type: 'dm', from: 'alice', to: 'bob', text: 'psst' });
    expect(await alice.next('dm')).toEqual({ type: 'dm', from: 'alice', to: 'bob', text: 'psst' }); // the receipt

    // Alice's connection sent the DM before it handled her next frame, so had carol been sent it,
    // it would be in her mailbox before this room line.
    alice.send({ type: 'say', text: 'after the dm' });
    await carol.next('message', (m) => m.text === 'after the dm');
    expect(carol.frames.filter((f) => f.type === 'dm')).toEqual([]);

    alice.send({ type: 'dm', to: 'nobody', text: 'hello?' });
    expect(await alice.next('error')).toEqual({ type: 'error', reason: 'nobody is not online' });
  });

  it('refuses a name already taken, politely: a refused frame, then close 4409; the first user is unaffected', async () => {
    chat = await startTestChat();
    const [alice] = await chat.join('alice');
    const impostor = await chat.connect('alice');
    expect(await impostor.next('refused')).toEqual({
      type: 'refused',
      reason: 'the name alice is taken; pick another',
    });
    expect(await impostor.closed).toEqual({ code: NAME_TAKEN_CLOSE, reason: 'name taken' });
    alice.send({ type: 'say', text: 'still me' });
    expect(await alice.next('message')).toMatchObject({ from: 'alice', text: 'still me' });
    // Nobody else joined: every member list alice was sent is just her.
    for (const f of alice.frames) if (f.type === 'members') expect(f.members).toEqual(['alice']);
  });

  it('drops a user who disconnects from the members list and frees the name', async () => {
    chat = await startTestChat();
    const [alice] = await chat.join('alice');
    const [bob] = await chat.join('bob');
    await alice.next('members', (m) => m.members.includes('bob'));

    await bob.close();
    // pg removes the exited connection from the room's group; the room hears it through pg.monitor.
    expect(await alice.next('members')).toEqual({ type: 'members', room: 'lobby', members: ['alice'] });
    expect(chat.node.whereis('user:bob')).toBeUndefined();
    const [, joined] = await chat.join('bob');
    expect(joined.members).toEqual(['alice', 'bob']);
  });

  it('survives a room crash: the supervisor restarts the room, connections rejoin and keep chatting', async () => {
    chat = await startTestChat();
    const [alice] = await chat.join('alice');
    const [bob] = await chat.join('bob');
    alice.send({ type: 'say', text: 'before the crash' });
    await bob.next('message');
    const oldRoom = chat.node.whereis('room:lobby');

    bob.send({ type: 'crash' });
    for (const c of [alice, bob]) {
      expect(await c.next('room_down')).toEqual({
        type: 'room_down',
        room: 'lobby',
        reason: 'crash: Error: room lobby crashed on purpose (asked by bob)',
      });
      // The history lived in the crashed process: the restarted room starts empty.
      expect(await c.next('joined')).toMatchObject({
        room: 'lobby',
        history: [],
        restarts: 1,
        rejoined: true,
      });
    }
    const newRoom = chat.node.whereis('room:lobby');
    expect(newRoom).toBeDefined();
    expect(newRoom).not.toBe(oldRoom);

    alice.send({ type: 'say', text: 'after the crash' });
    for (const c of [alice, bob]) expect(await c.next('message')).toMatchObject({ text: 'after the crash' });

    expect(reports(chat.records, 'crash_report')).toHaveLength(1);
    const terminated = reports(chat.records, 'supervisor_report', 'child_terminated');
    expect(terminated.map((r) => [r.supervisor, r.childPid, r.reason])).toEqual([
      ['chat_rooms', String(oldRoom), 'crash: Error: room lobby crashed on purpose (asked by bob)'],
    ]);
    expect(reports(chat.records, 'progress', 'restarting').map((r) => r.supervisor)).toEqual(['chat_rooms']);
  });

  it('switches rooms: leaves the old room (its members are told) and joins the new one', async () => {
    chat = await startTestChat();
    const [alice] = await chat.join('alice');
    const [bob] = await chat.join('bob');
    await alice.next('members', (m) => m.members.includes('bob'));

    bob.send({ type: 'join', room: 'garden' });
    expect(await bob.next('joined')).toMatchObject({ room: 'garden', members: ['bob'], rejoined: false });
    expect(await alice.next('members')).toEqual({ type: 'members', room: 'lobby', members: ['alice'] });
    alice.send({ type: 'say', text: 'lobby only' });
    await alice.next('message');
    bob.send({ type: 'say', text: 'garden only' });
    await bob.next('message', (m) => m.text === 'garden only');
    expect(bob.frames.filter((f) => f.type === 'message').map((f) => f.room)).toEqual(['garden']);
  });

  it('answers a frame it does not understand with an error frame and keeps the connection', async () => {
    chat = await startTestChat();
    const [alice] = await chat.join('alice');
    alice.ws.send('{"type":"shout"}');
    expect(await alice.next('error')).toEqual({ type: 'error', reason: 'not a chat frame' });
    alice.send({ type: 'join', room: 'no spaces' });
    expect(await alice.next('error')).toMatchObject({ type: 'error' });
    alice.send({ type: 'ping' });
    alice.send({ type: 'say', text: 'fine' });
    expect(await alice.next('message')).toMatchObject({ text: 'fine' });
  });

  it('answers an upgrade with an invalid user name with plain HTTP 400 from init', async () => {
    chat = await startTestChat();
    const ws = new WebSocket(`${chat.base.replace('http', 'ws')}ws?user=${encodeURIComponent('no spaces')}`);
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(400);
    ws.once('error', () => {}); // aborting the refused handshake is reported as an error
    ws.terminate();
  });
});
