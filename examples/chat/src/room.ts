/**
 * A chat room: a GenServer that keeps the room's history (its last messages) and its members.
 * The members are a `pg` group: the room broadcasts to the group, and a member whose
 * connection ends leaves the group by itself (pg watches its members), which the room hears
 * about through `pg.monitor`.
 *
 * Rooms run under the `chat_rooms` DynamicSupervisor, one child per room, and register as
 * `room:<name>`. When a room crashes its supervisor starts a new one from `init`: the history
 * lived in the crashed process and is gone, the connections' monitors fire, and they rejoin
 * the new room (see `chat-handler.ts`).
 *
 * @example
 * const [, pid] = await DynamicSupervisor.startChild(['chat_rooms', node], roomChildSpec(node, 'lobby'));
 * const joined = await GenServer.call(pid, ['join', 'alice', connectionPid]); // { history, members, restarts }
 * GenServer.cast(pid, ['say', 'alice', 'hello']); // every member gets ['said', 'lobby', line]
 */
import {
  type DynamicChildSpec,
  GenServer,
  type GenServerBehaviour,
  type GenServerPid,
  type Node,
  type PgNotification,
  type PgScope,
  type Pid,
  pg,
  type Ref,
} from '@corral/actor';
import { PG_SCOPE, roomGroup, roomName } from './names.js';
import type { ChatLine } from './protocol.js';

/** How many messages a room keeps for members who join later. */
export const HISTORY_SIZE = 50;

/** What a room sends to the connections in it (their `websocketInfo` gets these). */
export type RoomEvent = ['said', room: string, line: ChatLine] | ['members', room: string, names: string[]];

/** A room's `init` argument. */
export interface RoomArgs {
  name: string;
  /** How many times this room has been restarted (the child spec's start function counts). */
  restarts: number;
  historySize?: number;
}

/** The reply to a `join`: what the joining page shows first. */
export interface Joined {
  history: ChatLine[];
  members: string[];
  restarts: number;
}

interface RoomState {
  readonly name: string;
  readonly restarts: number;
  readonly historySize: number;
  readonly history: ChatLine[];
  /** Member connection → user name. The pg group holds the same pids: it delivers broadcasts and drops the dead. */
  readonly names: Map<Pid<RoomEvent>, string>;
  readonly scope: PgScope;
  readonly group: ['room', string];
  /** The `pg.monitor` subscription that tells us when members leave. */
  readonly groupRef: Ref;
}

export type RoomTypes = {
  args: RoomArgs;
  state: RoomState;
  call: ['join', user: string, connection: Pid<RoomEvent>];
  reply: Joined;
  cast: ['say', user: string, text: string] | ['leave', connection: Pid<RoomEvent>] | ['crash', user: string];
  info: PgNotification;
};

/** The room's requests, for `GenServer.call` / `cast` on a room pid. */
export type RoomPid = GenServerPid<RoomTypes>;

const memberNames = (s: RoomState): string[] => [...new Set(s.names.values())].sort();

function announceMembers(s: RoomState): void {
  s.scope.broadcast(s.group, ['members', s.name, memberNames(s)] satisfies RoomEvent);
}

export const Room: GenServerBehaviour<RoomTypes> = {
  name: 'chat_room',

  init({ name, restarts, historySize = HISTORY_SIZE }, self) {
    const scope = pg.scope(self.node, PG_SCOPE);
    const group = roomGroup(name);
    // A new incarnation starts with an empty group. The previous one's members still sit in
    // it (pg membership belongs to the member processes, not to the room); their monitors
    // have fired, and they rejoin this room, each getting its history in the join reply.
    const stale = scope.getMembers(group);
    if (stale.length > 0) scope.leave(group, stale);
    const [groupRef] = scope.monitor(group, self.pid);
    self.logger.info({ room: name, restarts }, restarts === 0 ? 'room opened' : 'room restarted');
    return ['ok', { name, restarts, historySize, history: [], names: new Map(), scope, group, groupRef }];
  },

  handleCall([, user, connection], _from, s) {
    // Joining and taking the history happen in one step of the room, so a joiner never misses
    // a line or gets one twice: earlier lines are in the reply, later ones are broadcast to it.
    const isNew = !s.names.has(connection);
    s.names.set(connection, user);
    announceMembers(s); // to the others: the joiner gets the list in its reply
    if (isNew) s.scope.join(s.group, connection);
    return ['reply', { history: s.history.slice(), members: memberNames(s), restarts: s.restarts }, s];
  },

  handleCast(msg, s) {
    switch (msg[0]) {
      case 'say': {
        const line: ChatLine = { from: msg[1], text: msg[2], at: Date.now() };
        s.history.push(line);
        if (s.history.length > s.historySize) s.history.shift();
        s.scope.broadcast(s.group, ['said', s.name, line] satisfies RoomEvent);
        return ['noreply', s];
      }
      case 'leave':
        if (s.names.delete(msg[1])) {
          s.scope.leave(s.group, msg[1]);
          announceMembers(s);
        }
        return ['noreply', s];
      case 'crash':
        // The "crash this room" button: an unhandled error, as a bug would throw. The process
        // ends with ['crash', error], a crash report is logged, and the supervisor restarts it.
        throw new Error(`room ${s.name} crashed on purpose (asked by ${msg[1]})`);
    }
  },

  handleInfo(msg, s) {
    if (pg.isNotification(msg, s.groupRef) && msg[1] === 'leave') {
      // A member's connection ended (or it left): keep the names in step with the group.
      const members = s.scope.getMembers(s.group);
      let changed = false;
      for (const pid of msg[3]) if (!members.includes(pid) && s.names.delete(pid)) changed = true;
      if (changed) announceMembers(s);
    }
    return ['noreply', s];
  },

  formatStatus: ({ state }) => ({
    state: {
      room: state.name,
      restarts: state.restarts,
      history: state.history.length,
      members: memberNames(state),
    },
  }),
};

/**
 * The room's child spec for the `chat_rooms` DynamicSupervisor. The supervisor calls `start`
 * again to restart the room, so the closure's counter is the room's restart count.
 *
 * `transient`: a room that crashes is restarted; one stopped on purpose (`normal`,
 * `shutdown`) stays stopped. (`permanent` would also restart it after a clean stop, and
 * `temporary` never would.)
 */
export function roomChildSpec(node: Node, name: string, historySize?: number): DynamicChildSpec {
  let starts = 0;
  return {
    start: () => {
      const args: RoomArgs = { name, restarts: starts++ };
      if (historySize !== undefined) args.historySize = historySize;
      return GenServer.startLink(node, Room, args, { name: roomName(name) });
    },
    restart: 'transient',
    shutdown: 1000,
  };
}
