/**
 * Machine processes, the OTP way: `start`/`startLink` (the initial transition has run when
 * the promise resolves), `call`/`cast`/`stop`/`getState` (the GenServer protocol, with its
 * error semantics), `output` (what a final state produced) and `childSpec` (for supervisors).
 * Import it as a namespace: `Statem.startLink(...)`.
 *
 * @example
 * import { Supervisor } from '@corral/actor';
 * import { Statem } from '@corral/statem';
 *
 * const sup = await Supervisor.start(node, [Statem.childSpec('lock', node, lockMachine, { name: 'lock' })], {
 *   intensity: 3,
 *   period: 5,
 * });
 * await Statem.call(['lock', node], { type: 'button', digit: 4 });
 */
import {
  ActorError,
  type ChildSpec,
  type ExitReason,
  GenServer,
  type Node,
  type Pid,
  type ServerRef,
  StartError,
} from '@corral/actor';
import type { AnyActorLogic, EventObject, SnapshotFrom } from 'xstate';
import { outputOf, spawnMachine, spawnProcess } from './machine-process.js';
import type { MachineOptions, MachinePid } from './types.js';

export { spawnMachine as spawn };

function startWith<TLogic extends AnyActorLogic>(
  node: Node,
  logic: TLogic,
  opts: MachineOptions<TLogic> | undefined,
  link: boolean,
  fn: string,
): Promise<MachinePid<TLogic>> {
  return new Promise((resolve, reject) => {
    try {
      spawnProcess(node, logic, opts, link, `Statem.${fn}`, { resolve, reject });
    } catch (e) {
      const holder = opts?.name === undefined ? undefined : node.whereis(opts.name);
      if (e instanceof ActorError && e.code === 'ERR_NAME_TAKEN' && holder !== undefined)
        reject(new StartError(['already_started', holder]));
      else reject(e);
    }
  });
}

/**
 * Starts a machine process without a link (gen_statem:start/3). Resolves with its pid once
 * the initial transition and its actions have run in the new process; rejects with a
 * `StartError` whose reason is `['crash', error]` when they fail, or
 * `['already_started', pid]` when `opts.name` is taken.
 *
 * @example
 * const lock = await Statem.start(node, lockMachine, { input: { code: '1234' } });
 */
export function start<TLogic extends AnyActorLogic>(
  node: Node,
  logic: TLogic,
  opts?: MachineOptions<TLogic>,
): Promise<MachinePid<TLogic>> {
  return startWith(node, logic, opts, false, 'start');
}

/**
 * Like {@link start}, linked to the calling process (gen_statem:start_link/3): what a
 * supervisor's child spec calls. Throws `ERR_NOT_IN_PROCESS` from plain code.
 *
 * @example
 * { id: 'lock', start: () => Statem.startLink(node, lockMachine, { name: 'lock' }) }
 */
export function startLink<TLogic extends AnyActorLogic>(
  node: Node,
  logic: TLogic,
  opts?: MachineOptions<TLogic>,
): Promise<MachinePid<TLogic>> {
  return startWith(node, logic, opts, true, 'startLink');
}

/**
 * A supervisor child spec for a machine (`restart`, `shutdown`, ... as any `ChildSpec`; a
 * machine that should run `corral.terminate` on shutdown also needs `trapExit: true`).
 *
 * @example
 * Supervisor.start(node, [Statem.childSpec('lock', node, lockMachine, { restart: 'transient' })]);
 */
export function childSpec<TLogic extends AnyActorLogic>(
  id: string,
  node: Node,
  logic: TLogic,
  opts?: MachineOptions<TLogic> & Partial<Omit<ChildSpec, 'id' | 'start'>>,
): ChildSpec {
  const { restart, shutdown, type, significant, ...machine } = opts ?? {};
  const spec: ChildSpec = { id, start: () => startLink(node, logic, machine as MachineOptions<TLogic>) };
  if (restart !== undefined) spec.restart = restart;
  if (shutdown !== undefined) spec.shutdown = shutdown;
  if (type !== undefined) spec.type = type;
  if (significant !== undefined) spec.significant = significant;
  return spec;
}

/** An event with any payload fields (an inline `{ type: 'enter', code }` literal is accepted). */
export type AnyEvent = EventObject & Record<string, unknown>;

/**
 * Sends `event` as a call and resolves with the machine's `reply(...)` (gen_statem:call/3).
 * It is `GenServer.call`, with its errors: a `CallError` whose reason is `'timeout'` (default
 * 5000 ms, node clock), `'noproc'`, `'calling_self'`, the exit reason of a machine that died
 * first, or `['unhandled', type]` when no transition of the current state takes the event.
 *
 * @example
 * const open = await Statem.call<boolean>(lock, { type: 'enter', code: '1234' });
 */
export function call<Reply = unknown>(
  server: ServerRef,
  event: AnyEvent | string,
  timeoutMs: number | 'infinity' = 5000,
): Promise<Reply> {
  return GenServer.call(server as ServerRef<any>, event, timeoutMs) as Promise<Reply>;
}

/** Sends `event` as a cast (gen_statem:cast/2): dropped silently if the process is gone, as in OTP. */
export function cast(server: ServerRef, event: AnyEvent | string): void {
  GenServer.cast(server as ServerRef<any>, event);
}

/**
 * Stops a machine process (gen_statem:stop/3): the machine gets `corral.terminate`, then the
 * process exits with `reason`. Resolves once it has exited; rejects as `GenServer.stop` does.
 */
export function stop(
  server: ServerRef,
  reason: ExitReason = 'normal',
  timeout: number | 'infinity' = 'infinity',
): Promise<void> {
  return GenServer.stop(server, reason, timeout);
}

/**
 * The machine's current snapshot, taken in its process between two events (sys:get_state/1).
 * `node.processInfo(pid).state` shows the same without a round trip.
 *
 * @example
 * const snap = await Statem.getState<typeof lockMachine>(lock);
 * snap.value; // 'locked'
 */
export function getState<TLogic extends AnyActorLogic = AnyActorLogic>(
  server: ServerRef,
  timeoutMs: number | 'infinity' = 5000,
): Promise<SnapshotFrom<TLogic>> {
  return GenServer.getState(server, timeoutMs);
}

/**
 * Resolves with the machine's output once it reaches a final state (its process then exits
 * `'normal'`); rejects with an `OutputError` carrying the exit reason if the process ends
 * any other way.
 *
 * @example
 * const game = spawnMachine(node, ticTacToe);
 * const winner = await Statem.output(game);
 */
export function output<T = unknown>(pid: Pid<any>): Promise<T> {
  return outputOf(pid) as Promise<T>;
}
