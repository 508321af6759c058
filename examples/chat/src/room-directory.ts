/**
 * The room directory: a GenServer that finds a room by name and starts it, under the
 * `chat_rooms` DynamicSupervisor, the first time someone asks for it. Requests to one
 * GenServer are handled one at a time, so two users opening the same new room at once get
 * the same room: that serialising is this server's whole job.
 *
 * Rooms register themselves as `room:<name>`, so the registry, not this server, maps a name to
 * the live pid: after a room is restarted its new process holds the name, and a directory that
 * is itself restarted loses nothing (it rebuilds its list of rooms from the registry).
 *
 * @example
 * const lobby = await openRoom(node, 'lobby'); // starts it, or finds the running one
 * await listRooms(node);                       // [{ room: 'lobby', pid: lobby }]
 */
import {
  CallError,
  DynamicSupervisor,
  formatReason,
  GenServer,
  type GenServerBehaviour,
  type Node,
  type Pid,
} from '@corral/actor';
import { DIRECTORY, ROOMS_SUP, roomName } from './names.js';
import { type RoomPid, roomChildSpec } from './room.js';

/** The answer to `['open', name]`. */
export type OpenResult = ['ok', RoomPid] | ['error', unknown];

/** One entry of `listRooms`: a room opened since the directory started, and its live pid (if any). */
export interface RoomEntry {
  room: string;
  pid: RoomPid | undefined;
}

interface DirectoryState {
  /** Every room opened so far, by name (the pids are in the registry). */
  readonly rooms: Set<string>;
  readonly historySize: number | undefined;
}

type DirectoryTypes = {
  args: { historySize?: number };
  state: DirectoryState;
  call: ['open', room: string] | 'list';
  reply: OpenResult | RoomEntry[];
};

const ROOM_PREFIX = roomName('');

const isAlreadyStarted = (reason: unknown): reason is ['already_started', RoomPid] =>
  Array.isArray(reason) && reason[0] === 'already_started';

/** Starts the room under the rooms supervisor; a room that got there first is as good. */
async function startRoom(s: DirectoryState, node: Node, room: string): Promise<OpenResult> {
  let result: ['ok', Pid | undefined] | ['error', unknown];
  try {
    result = await DynamicSupervisor.startChild([ROOMS_SUP, node], roomChildSpec(node, room, s.historySize));
  } catch (e) {
    // The rooms supervisor is down (it gave up and is being restarted): the caller retries.
    return ['error', e instanceof CallError ? e.reason : e];
  }
  if (result[0] === 'ok' && result[1] !== undefined) return ['ok', result[1]];
  // The room's supervisor restarted it while we asked (OTP's {error, {already_started, Pid}}).
  if (result[0] === 'error' && isAlreadyStarted(result[1])) return ['ok', result[1][1]];
  return ['error', result[1]];
}

export const RoomDirectory: GenServerBehaviour<DirectoryTypes> = {
  name: 'chat_directory',

  init({ historySize }, self) {
    const rooms = new Set(
      self.node
        .registered()
        .filter((n) => n.startsWith(ROOM_PREFIX))
        .map((n) => n.slice(ROOM_PREFIX.length)),
    );
    return ['ok', { rooms, historySize }];
  },

  async handleCall(req, _from, s, self) {
    if (req === 'list') {
      const list = [...s.rooms].map((room): RoomEntry => ({ room, pid: self.node.whereis(roomName(room)) }));
      return ['reply', list, s];
    }
    const room = req[1];
    const running: RoomPid | undefined = self.node.whereis(roomName(room));
    const result: OpenResult = running !== undefined ? ['ok', running] : await startRoom(s, self.node, room);
    if (result[0] === 'ok') s.rooms.add(room);
    return ['reply', result, s];
  },
};

/**
 * The room's pid, started if need be. Rejects with an Error when the room cannot be opened
 * now (the directory or the rooms supervisor is restarting): try again shortly.
 */
export async function openRoom(node: Node, room: string): Promise<RoomPid> {
  const result = await GenServer.call<['open', string], OpenResult>([DIRECTORY, node], ['open', room]);
  if (result[0] === 'ok') return result[1];
  throw new Error(`cannot open room ${room}: ${formatReason(result[1])}`);
}

/** The rooms opened so far, with their live pids. */
export function listRooms(node: Node): Promise<RoomEntry[]> {
  return GenServer.call<'list', RoomEntry[]>([DIRECTORY, node], 'list');
}
