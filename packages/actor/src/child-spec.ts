import type { Pid } from './pid.js';
import { isCleanExit } from './reason.js';

/*
 * Child specifications as plain data (OTP `supervisor:child_spec()`), with OTP's defaults in
 * this one place: restart 'permanent', type 'worker', shutdown 5000 ms for a worker and
 * 'infinity' for a supervisor, significant false.
 */

/** A child's name inside its supervisor (OTP's `id`). */
export type ChildId = string;

/**
 * When a child is restarted (OTP supervisor manual, "Child specification"):
 * `'permanent'` always; `'transient'` only after an abnormal exit (not `'normal'`,
 * `'shutdown'` or `['shutdown', x]`); `'temporary'` never.
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/**
 * How a child is stopped: milliseconds to wait after exit signal `'shutdown'` before
 * `'kill'`; `'brutal_kill'` kills at once; `'infinity'` waits as long as it takes.
 */
export type Shutdown = number | 'brutal_kill' | 'infinity';

export type ChildType = 'worker' | 'supervisor';

/**
 * Starts the child and links it to the calling process (the supervisor calls it inside its
 * own process, through `node.runAs`): returns its pid (or a promise of it), or `'ignore'`
 * (or undefined) to start nothing. Throwing or rejecting is a start error; a
 * {@link StartError}'s `reason` is taken as the error reason. Call `startLink` before any
 * `await`, so the link goes to the supervisor.
 */
export type StartFunction = () =>
  | Pid<any>
  | 'ignore'
  | undefined
  | PromiseLike<Pid<any> | 'ignore' | undefined>;

/**
 * A child specification (OTP `child_spec()` map).
 *
 * @example
 * const spec: ChildSpec = {
 *   id: 'cache',
 *   start: () => GenServer.startLink(node, Cache, { size: 100 }),
 *   restart: 'transient', // default 'permanent'
 *   shutdown: 2000,       // default 5000 for a worker, 'infinity' for a supervisor
 * };
 */
export interface ChildSpec {
  id: ChildId;
  start: StartFunction;
  restart?: RestartType;
  shutdown?: Shutdown;
  type?: ChildType;
  /** With the supervisor's `autoShutdown`, this child's exit may stop the supervisor (OTP 24). */
  significant?: boolean;
}

/** OTP's child-spec defaults (`supervisor:check_childspec/2`). */
export const CHILD_SPEC_DEFAULTS = {
  restart: 'permanent',
  type: 'worker',
  workerShutdown: 5000,
  supervisorShutdown: 'infinity',
  significant: false,
} as const;

type SpecFields = Pick<ChildSpec, 'restart' | 'shutdown' | 'type' | 'significant'>;

export const restartOf = (spec: SpecFields): RestartType => spec.restart ?? CHILD_SPEC_DEFAULTS.restart;
export const typeOf = (spec: SpecFields): ChildType => spec.type ?? CHILD_SPEC_DEFAULTS.type;
export const significantOf = (spec: SpecFields): boolean =>
  spec.significant ?? CHILD_SPEC_DEFAULTS.significant;
export const shutdownOf = (spec: SpecFields): Shutdown =>
  spec.shutdown ??
  (typeOf(spec) === 'supervisor'
    ? CHILD_SPEC_DEFAULTS.supervisorShutdown
    : CHILD_SPEC_DEFAULTS.workerShutdown);

/** When the supervisor itself stops because significant children ended (OTP 24 `auto_shutdown`). */
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';

/**
 * Checks a spec as OTP's `check_childspec/2` does; returns the error reason (OTP's shapes:
 * `'missing_id'`, `['invalid_restart_type', x]`, ...), or undefined when the spec is valid.
 */
export function checkChildSpec(spec: unknown, autoShutdown: AutoShutdown, needId = true): unknown {
  if (spec === null || typeof spec !== 'object') return ['invalid_child_spec', spec];
  const s = spec as Partial<ChildSpec>;
  if (needId && (typeof s.id !== 'string' || s.id.length === 0)) return 'missing_id';
  if (typeof s.start !== 'function') return 'missing_start';
  const restart = s.restart ?? CHILD_SPEC_DEFAULTS.restart;
  if (restart !== 'permanent' && restart !== 'transient' && restart !== 'temporary')
    return ['invalid_restart_type', s.restart];
  const type = s.type ?? CHILD_SPEC_DEFAULTS.type;
  if (type !== 'worker' && type !== 'supervisor') return ['invalid_child_type', s.type];
  const shutdown = s.shutdown;
  if (
    shutdown !== undefined &&
    shutdown !== 'brutal_kill' &&
    shutdown !== 'infinity' &&
    !(typeof shutdown === 'number' && Number.isInteger(shutdown) && shutdown >= 0)
  )
    return ['invalid_shutdown', shutdown];
  const significant = s.significant ?? false;
  if (typeof significant !== 'boolean') return ['invalid_significant', significant];
  if (significant && autoShutdown === 'never')
    return ['bad_combination', { autoShutdown: 'never', significant: true }];
  if (significant && restart === 'permanent')
    return ['bad_combination', { restart: 'permanent', significant: true }];
  return undefined;
}

/**
 * Whether a child that exited with `reason` is restarted (OTP supervisor manual): permanent
 * always, transient on an abnormal exit, temporary never.
 */
export function isRestarted(restart: RestartType, reason: unknown): boolean {
  return restart === 'permanent' || (restart === 'transient' && !isCleanExit(reason));
}

/**
 * Whether a child's exit is reported as `child_terminated` (OTP `do_restart/3`): every exit
 * of a permanent child, abnormal exits of the others.
 */
export function isReportedExit(restart: RestartType, reason: unknown): boolean {
  return restart === 'permanent' || !isCleanExit(reason);
}

/**
 * Whether the reason a child died with while being shut down is the expected one (OTP
 * `supervisor:shutdown/1`): `'killed'` after brutal_kill, `'shutdown'` otherwise; a
 * non-permanent child may also end `'normal'` or `['shutdown', x]`. Anything else is
 * reported as `shutdown_error`.
 */
export function isCleanShutdown(spec: SpecFields, reason: unknown): boolean {
  if (reason === (shutdownOf(spec) === 'brutal_kill' ? 'killed' : 'shutdown')) return true;
  return restartOf(spec) !== 'permanent' && isCleanExit(reason);
}
