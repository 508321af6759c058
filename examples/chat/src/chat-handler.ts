/**
 * One browser connection: a `@corral/websocket` handler, so each connection is a process.
 *
 * - It signs the user in by registering its own process as `user:<name>` (a taken name is
 *   refused), so anyone can reach the user by name: direct messages from other connections,
 *   and notices from the admin HTTP endpoint, arrive in `websocketInfo` by the pid the
 *   registry gives.
 * - It joins a room through the room directory and **monitors** the room process. When the
 *   room goes down (the "crash this room" button), the DOWN message arrives here: the
 *   connection tells the page, asks the directory for the room again (its supervisor has
 *   restarted it, under the same registered name) and rejoins. The connection itself never
 *   stopped.
 *
 * Frames are JSON (see `protocol.ts`). Every helper returns `[frames, state]`, the commands
 * form of a handler result, so steps compose: `[[down, ...joinFrames], state]`.
 */
import {
  ActorError,
  type DownMessage,
  formatReason,
  GenServer,
  isDownMessage,
  type Ref,
  type Self,
  self,
} from '@corral/actor';
import type { Handler, OutFrame } from '@corral/websocket';
import { isValidName, userName } from './names.js';
import { type ClientFrame, encode, NAME_TAKEN_CLOSE, parseClientFrame } from './protocol.js';
import type { Joined, RoomEvent, RoomPid } from './room.js';
import { openRoom } from './room-directory.js';

/** Everything that may arrive in a connection's mailbox besides frames. */
export type ConnectionInfo =
  | RoomEvent
  | ['dm', from: string, text: string]
  | ['notice', text: string]
  | ['retry_join', room: string, attempt: number, rejoined: boolean]
  | DownMessage;

export interface ChatState {
  readonly user: string;
  /** The room the user is in, or is (re)joining. */
  readonly room: string;
  /** The room's process and our monitor on it; undefined while (re)joining. */
  readonly current: { readonly pid: RoomPid; readonly ref: Ref } | undefined;
}

/** The route's state: the room a page joins when its URL names none. */
export const initialChatState: ChatState = { user: '', room: 'lobby', current: undefined };

/** A page that sends nothing for this long is closed; the page sends a ping every 30 s. */
export const IDLE_TIMEOUT = 120_000;
/** Rejoining waits a little longer after each failed attempt (the room's supervisor may itself be restarting). */
const RETRY_MS = 200;
const MAX_JOIN_ATTEMPTS = 10;

type Step = [OutFrame[], ChatState];
type Me = Self<ConnectionInfo>;

/** A step that sends `frames` (maybe none) and keeps `state`. */
const emit = (state: ChatState, ...frames: OutFrame[]): Step => [frames, state];
const error = (state: ChatState, reason: string): Step => emit(state, encode({ type: 'error', reason }));

/** Asks the directory for the room, monitors it and joins it; on failure, tries again later. */
async function joinRoom(me: Me, state: ChatState, rejoined: boolean, attempt: number): Promise<Step> {
  let pid: RoomPid;
  try {
    pid = await openRoom(me.node, state.room);
  } catch (e) {
    return retryLater(me, state, rejoined, attempt, e);
  }
  // Monitor first: if the room dies at any point from here on, a DOWN message says so.
  const ref = me.monitor(pid);
  const next: ChatState = { ...state, current: { pid, ref } };
  let joined: Joined;
  try {
    joined = await GenServer.call(pid, ['join', state.user, me.pid]);
  } catch {
    // The room died between open and join: its DOWN is in our mailbox, and handling it rejoins.
    return emit(next);
  }
  return emit(next, encode({ type: 'joined', room: state.room, ...joined, rejoined }));
}

function retryLater(me: Me, state: ChatState, rejoined: boolean, attempt: number, e: unknown): Step {
  if (attempt >= MAX_JOIN_ATTEMPTS) {
    me.logger.warn({ room: state.room, err: e }, 'giving up joining the room');
    return error(state, `cannot join #${state.room} right now; reload the page to try again`);
  }
  me.sendAfter(RETRY_MS * (attempt + 1), me.pid, ['retry_join', state.room, attempt + 1, rejoined]);
  return emit(state);
}

/** Our room's process ended: tell the page and rejoin (its supervisor is restarting it). */
async function onRoomDown(me: Me, [, ref, , , reason]: DownMessage, state: ChatState): Promise<Step> {
  if (state.current?.ref !== ref) return emit(state); // a room we already left
  const why = formatReason(reason);
  me.logger.info({ room: state.room, reason: why }, 'room went down; rejoining');
  const down = encode({ type: 'room_down', room: state.room, reason: why });
  const [frames, next] = await joinRoom(me, { ...state, current: undefined }, true, 0);
  return [[down, ...frames], next];
}

function directMessage(me: Me, state: ChatState, to: string, text: string): Step {
  // The recipient's connection registered itself as user:<name>; the registry gives its pid.
  const pid = isValidName(to) ? me.node.whereis<ConnectionInfo>(userName(to)) : undefined;
  if (pid === undefined) return error(state, `${to} is not online`);
  me.send(pid, ['dm', state.user, text]);
  return emit(state, encode({ type: 'dm', from: state.user, to, text }));
}

function switchRoom(me: Me, state: ChatState, room: string): Step | Promise<Step> {
  if (!isValidName(room)) return error(state, 'a room name is 1-24 letters, digits, _ or -');
  if (room === state.room) return emit(state);
  if (state.current !== undefined) {
    me.demonitor(state.current.ref, { flush: true });
    GenServer.cast(state.current.pid, ['leave', me.pid]);
  }
  return joinRoom(me, { ...state, room, current: undefined }, false, 0);
}

function onClientFrame(me: Me, f: ClientFrame, state: ChatState): Step | Promise<Step> {
  switch (f.type) {
    case 'say':
      if (state.current === undefined) return error(state, `#${state.room} is restarting; try again`);
      GenServer.cast(state.current.pid, ['say', state.user, f.text]);
      return emit(state);
    case 'dm':
      return directMessage(me, state, f.to, f.text);
    case 'join':
      return switchRoom(me, state, f.room);
    case 'crash':
      if (state.current === undefined) return error(state, `#${state.room} is restarting already`);
      me.logger.warn({ user: state.user, room: state.room }, 'crashing the room, as asked from the page');
      GenServer.cast(state.current.pid, ['crash', state.user]);
      return emit(state);
    case 'ping':
      return emit(state);
  }
}

/**
 * The chat connection handler (Cowboy's `cowboy_websocket` callbacks). The page connects to
 * `/ws?user=<name>&room=<room>`.
 *
 * @example
 * await listen({ node, port: 8080, routes: { '/ws': [chatHandler, initialChatState] } });
 */
export const chatHandler: Handler<ChatState, ConnectionInfo> = {
  init(req, state) {
    const user = req.query.get('user') ?? '';
    const room = req.query.get('room') ?? state.room;
    if (!isValidName(user) || !isValidName(room)) {
      const body = 'user and room names are 1-24 letters, digits, _ or -';
      return ['ok', req.reply(400, { 'content-type': 'text/plain; charset=utf-8' }, body), state];
    }
    return ['websocket', req, { user, room, current: undefined }, { idleTimeout: IDLE_TIMEOUT }];
  },

  websocketInit(state) {
    const me = self<ConnectionInfo>();
    try {
      me.register(userName(state.user));
    } catch (e) {
      if (!(e instanceof ActorError && e.code === 'ERR_NAME_TAKEN')) throw e;
      const refused = encode({ type: 'refused', reason: `the name ${state.user} is taken; pick another` });
      return ['reply', [refused, ['close', NAME_TAKEN_CLOSE, 'name taken']], state];
    }
    me.logger.info({ user: state.user }, 'user signed in');
    return joinRoom(me, state, false, 0).then(
      ([frames, next]): Step => [[encode({ type: 'welcome', user: state.user }), ...frames], next],
    );
  },

  websocketHandle(frame, state) {
    if (frame[0] !== 'text') return ['ok', state];
    const f = parseClientFrame(frame[1]);
    if (f === undefined) return error(state, 'not a chat frame');
    return onClientFrame(self(), f, state);
  },

  websocketInfo(info, state) {
    const me = self<ConnectionInfo>();
    if (isDownMessage(info)) return onRoomDown(me, info, state);
    switch (info[0]) {
      case 'said':
        // A line from a room we have just left may still be in the mailbox: skip it.
        return info[1] === state.room
          ? emit(state, encode({ type: 'message', room: info[1], ...info[2] }))
          : emit(state);
      case 'members':
        return info[1] === state.room
          ? emit(state, encode({ type: 'members', room: info[1], members: info[2] }))
          : emit(state);
      case 'dm':
        return emit(state, encode({ type: 'dm', from: info[1], to: state.user, text: info[2] }));
      case 'notice':
        return emit(state, encode({ type: 'notice', text: info[1] }));
      case 'retry_join':
        if (info[1] !== state.room || state.current !== undefined) return emit(state); // stale
        return joinRoom(me, state, info[3], info[2]);
    }
  },
};
