/**
 * What the page and the server say to each other: one JSON object per text frame, with a
 * `type`. The page (`public/app.js`) is plain JavaScript, so this file is the reference for
 * both sides.
 */

/** One chat message as a room keeps it in its history. */
export interface ChatLine {
  from: string;
  text: string;
  /** Milliseconds since the epoch, when the room got it. */
  at: number;
}

/** The longest text a `say` or `dm` may carry. */
export const MAX_TEXT = 2000;

/** Frames the page sends. */
export type ClientFrame =
  | { type: 'say'; text: string }
  | { type: 'dm'; to: string; text: string }
  | { type: 'join'; room: string }
  | { type: 'crash' }
  /** A heartbeat, so an idle page is not closed by the connection's idle timeout. */
  | { type: 'ping' };

/** Frames the server sends. */
export type ServerFrame =
  | { type: 'welcome'; user: string }
  /** The name is taken: the server closes the connection (code 4409) right after. */
  | { type: 'refused'; reason: string }
  /** Joined a room (or rejoined it after it was restarted: `rejoined`). */
  | {
      type: 'joined';
      room: string;
      history: ChatLine[];
      members: string[];
      /** How many times the room's supervisor has restarted it. */
      restarts: number;
      rejoined: boolean;
    }
  | ({ type: 'message'; room: string } & ChatLine)
  | { type: 'members'; room: string; members: string[] }
  /** A direct message, to its recipient and (as a receipt) to its sender. */
  | { type: 'dm'; from: string; to: string; text: string }
  /** Sent by an operator through `POST /admin/notice?user=<name>`. */
  | { type: 'notice'; text: string }
  /** The room process went down; the connection is rejoining its replacement. */
  | { type: 'room_down'; room: string; reason: string }
  | { type: 'error'; reason: string };

/** The close code (private range 4000–4999) a connection refused for its name is closed with. */
export const NAME_TAKEN_CLOSE = 4409;

/** A server frame as the WebSocket text frame that carries it. */
export function encode(frame: ServerFrame): ['text', string] {
  return ['text', JSON.stringify(frame)];
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;

/**
 * Reads a frame from the page; undefined for anything that is not one of {@link ClientFrame}
 * (bad JSON, unknown type, missing or oversized text), which the handler answers with an error.
 *
 * @example
 * parseClientFrame('{"type":"say","text":"hi"}'); // { type: 'say', text: 'hi' }
 * parseClientFrame('{"type":"say"}');             // undefined
 */
export function parseClientFrame(text: string): ClientFrame | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const f = v as Record<string, unknown>;
  switch (f.type) {
    case 'say':
      return isText(f.text) ? { type: 'say', text: f.text } : undefined;
    case 'dm':
      return isText(f.text) && typeof f.to === 'string' ? { type: 'dm', to: f.to, text: f.text } : undefined;
    case 'join':
      return typeof f.room === 'string' ? { type: 'join', room: f.room } : undefined;
    case 'crash':
      return { type: 'crash' };
    case 'ping':
      return { type: 'ping' };
    default:
      return undefined;
  }
}
