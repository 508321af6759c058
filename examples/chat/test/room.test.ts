import {
  captureLogger,
  createNode,
  DynamicSupervisor,
  GenServer,
  type Node,
  type Pid,
  pg,
} from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import { PG_SCOPE, roomGroup } from '../src/names.js';
import { Room, type RoomEvent, type RoomPid, roomChildSpec } from '../src/room.js';
import { restarted } from './fixture.js';

/** A stand-in connection that never reads: its mailbox shows exactly what the room sent it. */
const member = (node: Node): Pid<RoomEvent> => node.spawn<RoomEvent>(() => new Promise<void>(() => {}));

describe('Room (a GenServer with its members as a pg group)', () => {
  let node: Node;
  let logger: ReturnType<typeof captureLogger>;
  const start = () => {
    logger = captureLogger();
    node = createNode({ name: 'rooms', logger });
    pg.startScope(node, PG_SCOPE);
  };
  afterEach(() => node.shutdown());

  it('replies to a join with the history and the members, tells the others, then broadcasts each line to every member once', async () => {
    start();
    const room = await GenServer.start(node, Room, { name: 'lobby', restarts: 0 });
    const alice = member(node);
    const bob = member(node);
    expect(await GenServer.call(room, ['join', 'alice', alice])).toEqual({
      history: [],
      members: ['alice'],
      restarts: 0,
    });
    GenServer.cast(room, ['say', 'alice', 'one']);
    const joined = await GenServer.call(room, ['join', 'bob', bob]);
    expect(joined.history.map((l) => [l.from, l.text])).toEqual([['alice', 'one']]);
    expect(joined.members).toEqual(['alice', 'bob']);
    GenServer.cast(room, ['say', 'bob', 'two']);
    await GenServer.getState(room); // the cast has been handled

    const shape = (m: RoomEvent) => (m[0] === 'said' ? ['said', m[1], m[2].from, m[2].text] : m);
    expect(node.messages(alice).map((m) => shape(m as RoomEvent))).toEqual([
      ['said', 'lobby', 'alice', 'one'],
      ['members', 'lobby', ['alice', 'bob']],
      ['said', 'lobby', 'bob', 'two'],
    ]);
    // Bob learnt the members from his join reply, not from a broadcast.
    expect(node.messages(bob).map((m) => shape(m as RoomEvent))).toEqual([['said', 'lobby', 'bob', 'two']]);
    expect(pg.scope(node, PG_SCOPE).getMembers(roomGroup('lobby'))).toHaveLength(2);
  });

  it('keeps only the last historySize lines', async () => {
    start();
    const room = await GenServer.start(node, Room, { name: 'lobby', restarts: 0, historySize: 2 });
    for (const text of ['a', 'b', 'c']) GenServer.cast(room, ['say', 'alice', text]);
    const joined = await GenServer.call(room, ['join', 'bob', member(node)]);
    expect(joined.history.map((l) => l.text)).toEqual(['b', 'c']);
  });

  it('drops a member whose process exits (pg removes it; the room hears it through pg.monitor)', async () => {
    start();
    const room = await GenServer.start(node, Room, { name: 'lobby', restarts: 0 });
    const alice = member(node);
    const bob = member(node);
    await GenServer.call(room, ['join', 'alice', alice]);
    await GenServer.call(room, ['join', 'bob', bob]);
    node.exit(bob, 'kill');
    await GenServer.getState(room);
    expect(node.messages(alice).at(-1)).toEqual(['members', 'lobby', ['alice']]);
    expect(pg.scope(node, PG_SCOPE).getMembers(roomGroup('lobby'))).toEqual([alice]);
  });

  it('drops a member that leaves at once and tells the others; a member may join again', async () => {
    start();
    const room = await GenServer.start(node, Room, { name: 'lobby', restarts: 0 });
    const alice = member(node);
    const bob = member(node);
    await GenServer.call(room, ['join', 'alice', alice]);
    await GenServer.call(room, ['join', 'bob', bob]);
    GenServer.cast(room, ['leave', bob]);
    expect((await GenServer.call(room, ['join', 'bob', bob])).members).toEqual(['alice', 'bob']);
    expect(node.messages(alice).slice(-2)).toEqual([
      ['members', 'lobby', ['alice']],
      ['members', 'lobby', ['alice', 'bob']],
    ]);
    expect(pg.scope(node, PG_SCOPE).getMembers(roomGroup('lobby'))).toHaveLength(2);
  });

  it('restarted by its DynamicSupervisor after a crash, starts empty: no history, no members, one restart counted', async () => {
    start();
    const rooms = await DynamicSupervisor.start(node);
    const started = await DynamicSupervisor.startChild(rooms, roomChildSpec(node, 'lobby'));
    expect(started[0]).toBe('ok');
    const first = started[1] as RoomPid;
    const alice = member(node);
    await GenServer.call(first, ['join', 'alice', alice]);
    GenServer.cast(first, ['say', 'alice', 'lost soon']);
    GenServer.cast(first, ['crash', 'alice']);

    const second: RoomPid = await restarted(node, 'room:lobby', first);
    // The old incarnation's members are out of the group until they rejoin.
    expect(pg.scope(node, PG_SCOPE).getMembers(roomGroup('lobby'))).toEqual([]);
    expect(await GenServer.call(second, ['join', 'alice', alice])).toEqual({
      history: [],
      members: ['alice'],
      restarts: 1,
    });
    const crash = logger.records.filter((r) => r.label === 'crash_report').at(-1);
    expect(crash?.reason).toBe('crash: Error: room lobby crashed on purpose (asked by alice)');
    expect(await DynamicSupervisor.countChildren(rooms)).toMatchObject({ specs: 1, active: 1 });
  });
});
