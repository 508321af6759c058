import {
  captureLogger,
  createNode,
  DynamicSupervisor,
  type Node,
  type Pid,
  pg,
  Supervisor,
} from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import { chatChildren } from '../src/app.js';
import { DIRECTORY, PG_SCOPE, ROOMS_SUP } from '../src/names.js';
import { listRooms, openRoom } from '../src/room-directory.js';
import { restarted } from './fixture.js';

describe('RoomDirectory (finds or starts rooms under chat_rooms)', () => {
  let node: Node;
  /** The chat tree without its web front: chat_rooms and chat_directory. */
  const start = async (): Promise<Pid> => {
    node = createNode({ name: 'dir', logger: captureLogger() });
    pg.startScope(node, PG_SCOPE);
    return Supervisor.start(node, chatChildren(node).slice(0, 2));
  };
  afterEach(() => node.shutdown());

  it('starts a room once: concurrent opens of a new room get the same pid', async () => {
    await start();
    const [a, b] = await Promise.all([openRoom(node, 'lobby'), openRoom(node, 'lobby')]);
    expect(a).toBe(b);
    expect(node.whereis('room:lobby')).toBe(a);
    expect(await DynamicSupervisor.countChildren([ROOMS_SUP, node])).toMatchObject({ active: 1 });
    expect(await listRooms(node)).toEqual([{ room: 'lobby', pid: a }]);
  });

  it('opened while its supervisor restarts it, gives the restarted room, never a second one', async () => {
    await start();
    const before = await openRoom(node, 'lobby');
    node.exit(before, 'boom'); // dies at once; chat_rooms has the EXIT in its mailbox
    const after = await openRoom(node, 'lobby');
    expect(after).not.toBe(before);
    expect(node.whereis('room:lobby')).toBe(after);
    expect(await DynamicSupervisor.countChildren([ROOMS_SUP, node])).toMatchObject({ specs: 1, active: 1 });
  });

  it('restarted itself, lists the running rooms again: it rebuilds its list from the registry', async () => {
    await start();
    const lobby = await openRoom(node, 'lobby');
    const garden = await openRoom(node, 'garden');
    const directory = node.whereis(DIRECTORY);
    node.exit(directory!, 'kill');
    await restarted(node, DIRECTORY, directory);
    const rooms = await listRooms(node);
    expect(rooms.sort((x, y) => x.room.localeCompare(y.room))).toEqual([
      { room: 'garden', pid: garden },
      { room: 'lobby', pid: lobby },
    ]);
  });

  it('rejects an open while chat_rooms is not running, so the caller can try again', async () => {
    const root = await start();
    await Supervisor.terminateChild(root, 'rooms');
    await expect(openRoom(node, 'lobby')).rejects.toThrow('cannot open room lobby: noproc');
    await Supervisor.restartChild(root, 'rooms');
    const lobby = await openRoom(node, 'lobby');
    expect(node.whereis('room:lobby')).toBe(lobby);
  });
});
