/**
 * The names the chat app registers, in one place. Registered names are how code that holds no
 * pid finds a process (Erlang's `register/2`): a room is `room:<name>`, a signed-in user's
 * connection is `user:<name>`; a name is freed when its process exits, so a crashed room's
 * name passes to the process its supervisor starts in its place.
 */

/** The top-level supervisor. */
export const CHAT_SUP = 'chat_sup';
/** The DynamicSupervisor every room is a child of. */
export const ROOMS_SUP = 'chat_rooms';
/** The room directory GenServer. */
export const DIRECTORY = 'chat_directory';
/** The GenServer that owns the HTTP server and the WebSocket listener. */
export const WEB = 'chat_web';
/** The pg scope holding one group per room (its members: the connections in the room). */
export const PG_SCOPE = 'chat';

/** A room's registered name. */
export const roomName = (room: string): string => `room:${room}`;
/** The registered name of a user's connection. */
export const userName = (user: string): string => `user:${user}`;
/** A room's pg group. */
export const roomGroup = (room: string): ['room', string] => ['room', room];

/** User and room names: 1–24 letters, digits, `_` or `-` (they travel in URLs and registered names). */
export const isValidName = (name: string): boolean => /^[\w-]{1,24}$/.test(name);
