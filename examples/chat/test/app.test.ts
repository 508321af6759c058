import { DynamicSupervisor, GenServer, ManualClock, Supervisor } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import { CHAT_SUP, DIRECTORY, ROOMS_SUP, WEB } from '../src/names.js';
import type { RoomPid } from '../src/room.js';
import { openRoom } from '../src/room-directory.js';
import { reports, restarted, startTestChat, type TestChat } from './fixture.js';

describe('the chat supervision tree', () => {
  let chat: TestChat;
  afterEach(() => chat.stop());

  it('starts chat_sup with the rooms supervisor, the directory and the web front, in that order', async () => {
    chat = await startTestChat();
    const { node } = chat;
    expect(node.whereis(CHAT_SUP)).toBe(chat.app.root);
    expect(await Supervisor.whichChildren(chat.app.root)).toEqual([
      ['rooms', node.whereis(ROOMS_SUP), 'supervisor'],
      ['directory', node.whereis(DIRECTORY), 'worker'],
      ['web', node.whereis(WEB), 'worker'],
    ]);
    expect(chat.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('restarts a crashed room alone (one_for_one): other rooms, the directory and the web front keep their pids', async () => {
    chat = await startTestChat();
    const { node } = chat;
    const lobby = await openRoom(node, 'lobby');
    const garden = await openRoom(node, 'garden');
    const tree = await Supervisor.whichChildren(chat.app.root);

    GenServer.cast(lobby, ['crash', 'test']);
    const newLobby = (await restarted(node, 'room:lobby', lobby)) as RoomPid;

    const rooms = await DynamicSupervisor.whichChildren([ROOMS_SUP, node]);
    expect(rooms.map(([, pid]) => pid).sort((a, b) => String(a).localeCompare(String(b)))).toEqual(
      [garden, newLobby].sort((a, b) => String(a).localeCompare(String(b))),
    );
    expect(node.whereis('room:garden')).toBe(garden);
    expect(await Supervisor.whichChildren(chat.app.root)).toEqual(tree);
    expect(
      reports(chat.records, 'progress', 'restarting').map((r) => [r.supervisor, r.childPid, r.msg]),
    ).toEqual([[ROOMS_SUP, String(lobby), `supervisor chat_rooms: restarting child ${lobby}`]]);
    expect((await GenServer.call(newLobby, ['join', 'alice', node.spawn(() => {})])).restarts).toBe(1);
  });

  it('escalates: a fourth room crash within 5 s makes chat_rooms give up, chat_sup restarts it, users rejoin', async () => {
    const clock = new ManualClock(); // restart intensity is counted on the node clock: all crashes at t = 0
    chat = await startTestChat({ clock });
    const [alice] = await chat.join('alice');
    for (let restarts = 1; restarts <= 3; restarts++) {
      alice.send({ type: 'crash' });
      expect(await alice.next('joined')).toMatchObject({ restarts, rejoined: true });
    }
    const roomsSup = chat.node.whereis(ROOMS_SUP);
    alice.send({ type: 'crash' });
    await alice.next('room_down');

    // While chat_sup restarts chat_rooms, joining fails; the connection retries on the node clock.
    let joined = alice.tryNext('joined');
    for (let i = 0; i < 60 && joined === undefined; i++) {
      clock.advance(200);
      await new Promise((resolve) => setTimeout(resolve, 5));
      joined = alice.tryNext('joined');
    }
    // A new chat_rooms holds a new spec for the room: its restart count starts again.
    expect(joined).toMatchObject({ room: 'lobby', restarts: 0, rejoined: true, history: [] });
    expect(chat.node.whereis(ROOMS_SUP)).not.toBe(roomsSup);
    expect(
      reports(chat.records, 'supervisor_report').map((r) => [
        r.supervisor,
        r.context,
        r.childId ?? null,
        r.reason,
      ]),
    ).toEqual([
      [ROOMS_SUP, 'child_terminated', null, expect.stringMatching(/^crash: /)],
      [ROOMS_SUP, 'child_terminated', null, expect.stringMatching(/^crash: /)],
      [ROOMS_SUP, 'child_terminated', null, expect.stringMatching(/^crash: /)],
      [ROOMS_SUP, 'child_terminated', null, expect.stringMatching(/^crash: /)],
      [ROOMS_SUP, 'shutdown', null, 'reached_max_restart_intensity'],
      [CHAT_SUP, 'child_terminated', 'rooms', 'shutdown'],
    ]);
    alice.send({ type: 'say', text: 'we are back' });
    expect(await alice.next('message')).toMatchObject({ text: 'we are back' });
  });

  it('stops in reverse order: every connection closes with 1001, then nothing is left running', async () => {
    chat = await startTestChat();
    const [alice] = await chat.join('alice');
    await chat.app.stop();
    expect((await alice.closed).code).toBe(1001);
    expect(chat.node.processCount()).toBe(0);
  });
});
