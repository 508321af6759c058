/**
 * `pg` broadcast to 10,000 members: a broadcaster process sends one message to a group of
 * 10,000 callback processes (`scope.broadcast`, each member once), then ends its turn, so the
 * members handle it before the next broadcast (a chat room's fan-out). `size` counts
 * broadcasts; the figure is messages delivered to members, and handled by them, per second.
 * Every member counts what it handles: the round ends when the count reaches broadcasts ×
 * members, and each broadcast must report every member reached.
 */
import { type Node, type PgScope, pg } from '@corral/actor';
import { defineSuite, type Timed } from '../suite.js';
import { benchNode } from './worker.js';

const MEMBERS = 10_000;
const GROUP = 'bench';

interface Room {
  node: Node;
  scope: PgScope;
  /** Messages handled by members in this round. */
  handled: number;
  /** Where `handled` ends this round. */
  target: number;
  finished: (ops: number) => void;
}

function setup(): Room {
  const node = benchNode();
  const room: Room = { node, scope: pg.startScope(node), handled: 0, target: 0, finished: () => {} };
  const member = {
    init: () => null,
    handle: (_msg: unknown, s: null) => {
      if (++room.handled === room.target) room.finished(room.handled);
      return s;
    },
  };
  for (let i = 0; i < MEMBERS; i++) room.scope.join(GROUP, node.spawn(member));
  return room;
}

function broadcastRound(broadcasts: number, room: Room): Timed {
  room.handled = 0;
  room.target = broadcasts * MEMBERS;
  let failed: (e: unknown) => void = () => {};
  const broadcaster = room.node.spawn<'go', number>({
    init: () => 0,
    handle: (_go, sent, self) => {
      const reached = room.scope.broadcast(GROUP, ['news', sent]);
      if (reached !== MEMBERS) failed(new Error(`a broadcast reached ${reached} of ${MEMBERS} members`));
      if (++sent === broadcasts) return sent;
      self.send(self.pid, 'go');
      // A returned promise ends this turn: the broadcaster goes behind the members in the run queue.
      return Promise.resolve(sent);
    },
  });
  return () =>
    new Promise<number>((resolve, reject) => {
      room.finished = resolve;
      failed = reject;
      room.node.send(broadcaster, 'go');
    });
}

export default defineSuite({
  workload: 'pg-broadcast',
  system: 'corral',
  title: 'pg broadcast to 10,000 members',
  cases: {
    'members-10k': {
      label: 'one broadcaster, 10,000 callback-process members',
      kind: 'rate',
      unit: 'deliveries/s',
      size: 300,
      opsPerSize: MEMBERS,
      testSize: 3,
      params: { members: MEMBERS },
      setup,
      round: broadcastRound,
    },
  },
});
