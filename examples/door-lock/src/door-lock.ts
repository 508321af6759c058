/**
 * The code lock of OTP's gen_statem guide ("gen_statem Behavior", Example), as an xstate
 * machine. Buttons are pressed one digit at a time; once as many digits as the code has
 * were pressed, a right code opens the door and a wrong one starts over. An open door locks
 * itself again after `autoLockMs` (the guide's `state_timeout`); a third wrong code in a row
 * blocks the keypad for `blockMs`.
 *
 * The machine knows nothing of sockets: `statemHandler` runs it in each WebSocket
 * connection, decoding `{"type":"button","digit":4}` frames into events, and its `sendJson`
 * actions become the frames the keypad shows.
 */
import { type FrameEvent, sendJson } from '@corral/statem';
import { assign, setup } from 'xstate';

export interface DoorLockInput {
  code: string;
  /** How long the door stays open (ms). Default 10 000, as in the OTP guide. */
  autoLockMs?: number;
  /** How long the keypad stays blocked after three wrong codes (ms). Default 30 000. */
  blockMs?: number;
}

export type DoorLockEvent =
  | { type: 'button'; digit: number }
  | { type: 'lock' }
  | { type: 'status' }
  | FrameEvent;

/** What the keypad is told. */
export type DoorLockMessage =
  | { state: 'locked' | 'open' | 'blocked'; entered?: number }
  | { error: 'wrong code'; attempts: number }
  | { error: 'not understood' };

interface Context {
  code: string;
  entered: string;
  attempts: number;
  autoLockMs: number;
  blockMs: number;
}

const isDigit = (d: unknown): boolean => Number.isInteger(d) && (d as number) >= 0 && (d as number) <= 9;
const completes = (c: Context): boolean => c.entered.length + 1 >= c.code.length;

export const doorLock = setup({
  types: { input: {} as DoorLockInput, context: {} as Context, events: {} as DoorLockEvent },
  delays: {
    autoLock: ({ context }) => context.autoLockMs,
    unblock: ({ context }) => context.blockMs,
  },
}).createMachine({
  id: 'door_lock',
  context: ({ input }) => ({
    code: input.code,
    entered: '',
    attempts: 0,
    autoLockMs: input.autoLockMs ?? 10_000,
    blockMs: input.blockMs ?? 30_000,
  }),
  initial: 'locked',
  states: {
    locked: {
      entry: [assign({ entered: '' }), sendJson({ state: 'locked' } satisfies DoorLockMessage)],
      on: {
        button: [
          {
            guard: ({ event }) => !isDigit(event.digit),
            actions: sendJson({ error: 'not understood' } satisfies DoorLockMessage),
          },
          {
            guard: ({ context, event }) => `${context.entered}${event.digit}` === context.code,
            target: 'open',
          },
          {
            guard: ({ context }) => completes(context) && context.attempts >= 2,
            target: 'blocked',
            actions: assign({ attempts: 3 }),
          },
          {
            guard: ({ context }) => completes(context),
            actions: [
              assign({ entered: '', attempts: ({ context }) => context.attempts + 1 }),
              // Runs after the assign above, so it sees the new count.
              sendJson(
                ({ context }): DoorLockMessage => ({ error: 'wrong code', attempts: context.attempts }),
              ),
            ],
          },
          { actions: assign({ entered: ({ context, event }) => `${context.entered}${event.digit}` }) },
        ],
        status: {
          actions: sendJson(
            ({ context }): DoorLockMessage => ({ state: 'locked', entered: context.entered.length }),
          ),
        },
      },
    },
    open: {
      entry: [assign({ attempts: 0 }), sendJson({ state: 'open' } satisfies DoorLockMessage)],
      after: { autoLock: 'locked' },
      on: { lock: 'locked', status: { actions: sendJson({ state: 'open' } satisfies DoorLockMessage) } },
    },
    blocked: {
      entry: sendJson({ state: 'blocked' } satisfies DoorLockMessage),
      after: { unblock: { target: 'locked', actions: assign({ attempts: 0 }) } },
      on: { status: { actions: sendJson({ state: 'blocked' } satisfies DoorLockMessage) } },
    },
  },
  on: {
    // Frames that are not JSON events (jsonFrameEvent leaves them as ws.* events).
    'ws.text': { actions: sendJson({ error: 'not understood' } satisfies DoorLockMessage) },
    'ws.binary': { actions: sendJson({ error: 'not understood' } satisfies DoorLockMessage) },
  },
});
