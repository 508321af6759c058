/** Errors the runtime throws at its callers; each has a stable `code`. */
export class ActorError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ActorError';
  }
}

/** Sending to a name nobody holds (Erlang raises `badarg`). */
export function unregisteredName(name: string): ActorError {
  return new ActorError('ERR_NAME_NOT_REGISTERED', `no process is registered as ${JSON.stringify(name)}`);
}

export function nameTaken(name: string, holder: string): ActorError {
  return new ActorError(
    'ERR_NAME_TAKEN',
    `the name ${JSON.stringify(name)} is already registered to ${holder}`,
  );
}

export function notAlive(what: string): ActorError {
  return new ActorError('ERR_NOPROC', `${what} is not alive`);
}

export function notInProcess(fn: string): ActorError {
  return new ActorError(
    'ERR_NOT_IN_PROCESS',
    `${fn} must be called from inside a process (use a Self handle)`,
  );
}

export function badArg(message: string): ActorError {
  return new ActorError('ERR_BADARG', message);
}

/**
 * Thrown by `self.exit(reason)` to unwind the process's own code, as Erlang's `exit/1`
 * raises an exception. The runtime catches it and ends the process with `reason`.
 */
export class ExitException {
  constructor(readonly reason: unknown) {}
}
