import { ActorError, formatReason } from '@corral/actor';

/**
 * Errors @corral/statem throws, each with a stable `code`:
 * - `ERR_STATEM_CHILDREN`: a machine run by the transition engine spawned or invoked an xstate
 *   child actor (run it with `engine: 'actor'`, or make the child a Corral process);
 * - `ERR_STATEM_CONTEXT`: a Corral action ran outside a machine process (e.g. in a plain
 *   `createActor`), or a WebSocket action ran in a machine that is not a `statemHandler`;
 * - `ERR_BADARG`: a bad argument (an unknown engine, logic that is not xstate actor logic).
 */
export class StatemError extends ActorError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'StatemError';
  }
}

export function childrenUnsupported(machineId: string): StatemError {
  return new StatemError(
    'ERR_STATEM_CHILDREN',
    `machine ${JSON.stringify(machineId)} spawned or invoked an xstate child actor, which the transition ` +
      `engine does not run: start it with { engine: 'actor' }, or make the child a Corral process`,
  );
}

export function outsideMachine(action: string): StatemError {
  return new StatemError(
    'ERR_STATEM_CONTEXT',
    `${action}() ran outside a Corral machine process: Corral actions work in machines started with ` +
      'spawnMachine, Statem.start/startLink or statemHandler',
  );
}

export function notWebSocket(action: string): StatemError {
  return new StatemError(
    'ERR_STATEM_CONTEXT',
    `${action}() is a WebSocket action: it works only in a machine run by statemHandler`,
  );
}

export function badArg(message: string): StatemError {
  return new StatemError('ERR_BADARG', message);
}

/** `Statem.output(pid)` on a machine process that ended without reaching a final state. */
export class OutputError extends StatemError {
  constructor(
    /** The reason the process exited with (`'noproc'` if it was gone before anyone asked and left no output). */
    readonly reason: unknown,
    readonly pid: unknown,
  ) {
    super(
      'ERR_STATEM_NO_OUTPUT',
      `machine process ${String(pid)} ended without output: ${formatReason(reason)}`,
    );
    this.name = 'OutputError';
  }
}
