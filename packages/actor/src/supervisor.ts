/**
 * The static supervisor (OTP `supervisor`, Elixir `Supervisor`), built on the generic
 * server as OTP's is a gen_server. It starts its children in order, restarts them by
 * strategy (`one_for_one`, `one_for_all`, `rest_for_one`) and restart type, gives up after
 * more than `intensity` restarts in `period` seconds (exiting `'shutdown'`, which its own
 * supervisor sees), and stops its children in reverse order. Import it as a namespace.
 *
 * @example
 * import { GenServer, Supervisor } from '@corral/actor';
 *
 * const sup = await Supervisor.start(node, [
 *   { id: 'db', start: () => GenServer.startLink(node, Db, dbUrl) },
 *   { id: 'cache', start: () => GenServer.startLink(node, Cache, 100, { name: 'cache' }) },
 * ], { strategy: 'rest_for_one', intensity: 3, period: 5, name: 'app_sup' });
 *
 * await Supervisor.whichChildren(sup); // [['db', <pid>, 'worker'], ['cache', <pid>, 'worker']]
 */

import { describeValue } from './call-error.js';
import { shutdownOne, startChildProcess } from './child-lifecycle.js';
import {
  type AutoShutdown,
  type ChildId,
  type ChildSpec,
  type ChildType,
  checkChildSpec,
  isCleanShutdown,
  isReportedExit,
  isRestarted,
  restartOf,
  shutdownOf,
  significantOf,
  typeOf,
} from './child-spec.js';
import { start as startServer, startLink as startServerLink } from './gen-server.js';
import { call, stop as stopServer } from './gen-server-call.js';
import type {
  CallResult,
  GenServerBehaviour,
  NoReplyResult,
  ServerRef,
  StartOptions,
} from './gen-server-types.js';
import type { NodeCore } from './node-core.js';
import { Pid } from './pid.js';
import type { Self } from './process.js';
import { type ExitReason, isExitMessage } from './reason.js';
import { checkIntensity, RestartIntensity } from './restart-intensity.js';
import { type Offender, reportError, reportProgress } from './supervisor-reports.js';

export type {
  AutoShutdown,
  ChildId,
  ChildSpec,
  ChildType,
  RestartType,
  Shutdown,
  StartFunction,
} from './child-spec.js';
export { CHILD_SPEC_DEFAULTS } from './child-spec.js';

/**
 * Which children a child's restart takes along (OTP supervisor manual, "Restart Strategy"):
 * `one_for_one` only itself; `one_for_all` all of them (the others are stopped first, in
 * reverse start order, then all start again in order); `rest_for_one` itself and the
 * children started after it.
 */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

/** Supervisor flags (OTP `sup_flags()`). Defaults: {@link SUPERVISOR_FLAG_DEFAULTS}. */
export interface SupervisorFlags {
  strategy?: Strategy;
  /** Restarts allowed within `period`; one more and the supervisor shuts down. Integer >= 0. */
  intensity?: number;
  /** Seconds. */
  period?: number;
  /** Stop the supervisor when any / all significant children have ended by themselves (OTP 24). */
  autoShutdown?: AutoShutdown;
}

/** OTP's supervisor flag defaults (`supervisor.erl` `?default_flags`). */
export const SUPERVISOR_FLAG_DEFAULTS = {
  strategy: 'one_for_one',
  intensity: 1,
  period: 5,
  autoShutdown: 'never',
} as const;

/** Flags plus the generic start options (`name`, `timeout`). */
export interface SupervisorOptions extends SupervisorFlags, StartOptions {}

/** One entry of `whichChildren` (OTP's `{Id, Child, Type, Modules}` without modules). */
export type ChildInfo = [id: ChildId, child: Pid<any> | 'restarting' | undefined, type: ChildType];

/** `countChildren`'s answer (OTP's proplist, Elixir's map). */
export interface ChildCounts {
  /** Child specifications, running or not. */
  specs: number;
  /** Children whose process is alive. */
  active: number;
  supervisors: number;
  workers: number;
}

/** `startChild` / `restartChild` success: the pid, or undefined when the start returned 'ignore'. */
export type StartedChild = ['ok', Pid<any> | undefined];

/**
 * `startChild` errors: `['already_started', pid]` (that id runs), `'already_present'` (that
 * id exists, not running), an invalid spec (OTP's reasons, e.g. `'missing_id'`), or the
 * reason the child's start failed with.
 */
export type StartChildResult = StartedChild | ['error', unknown];

interface ChildRec {
  readonly id: ChildId;
  readonly spec: ChildSpec;
  pid: Pid<any> | 'restarting' | undefined;
}

interface SupState {
  readonly self: Self;
  /** Registered name, or pid text: the `supervisor` field of reports. */
  readonly name: string;
  readonly strategy: Strategy;
  readonly autoShutdown: AutoShutdown;
  readonly intensity: RestartIntensity;
  /** In start order. */
  children: ChildRec[];
  readonly byPid: Map<Pid<any>, ChildRec>;
}

interface SupArgs {
  children: readonly ChildSpec[];
  flags: SupervisorFlags;
  name: string | undefined;
}

type SupRequest =
  | 'which_children'
  | 'count_children'
  | ['start_child', ChildSpec]
  | ['terminate_child', ChildId]
  | ['restart_child', ChildId]
  | ['delete_child', ChildId];

/** Sent to itself when a restart failed, so other messages get a turn first (OTP's try_again_restart). */
class TryAgain {
  constructor(readonly id: ChildId) {}
}

type SupTypes = { args: SupArgs; state: SupState; call: SupRequest; reply: unknown; info: TryAgain };
type Reply = CallResult<unknown, SupState>;
type NoReply = NoReplyResult<SupState>;

const offender = (rec: ChildRec, pid: Offender['pid'] = rec.pid): Offender => ({
  id: rec.id,
  pid,
  spec: rec.spec,
});

function checkFlags(flags: SupervisorFlags): unknown {
  const strategy = flags.strategy ?? SUPERVISOR_FLAG_DEFAULTS.strategy;
  if (strategy !== 'one_for_one' && strategy !== 'one_for_all' && strategy !== 'rest_for_one')
    return ['invalid_strategy', strategy];
  const auto = flags.autoShutdown ?? SUPERVISOR_FLAG_DEFAULTS.autoShutdown;
  if (auto !== 'never' && auto !== 'any_significant' && auto !== 'all_significant')
    return ['invalid_auto_shutdown', auto];
  return checkIntensity(
    flags.intensity ?? SUPERVISOR_FLAG_DEFAULTS.intensity,
    flags.period ?? SUPERVISOR_FLAG_DEFAULTS.period,
  );
}

// ---- children -------------------------------------------------------------------------

function setPid(st: SupState, rec: ChildRec, pid: Pid<any> | undefined): void {
  rec.pid = pid;
  if (pid !== undefined) {
    st.byPid.set(pid, rec);
    reportProgress(st.self, st.name, 'started', offender(rec));
  }
}

function removeRec(st: SupState, rec: ChildRec): void {
  const i = st.children.indexOf(rec);
  if (i >= 0) st.children.splice(i, 1);
}

/** OTP's `del_child`: a temporary child's spec goes; the others stay, not running. */
function delChild(st: SupState, rec: ChildRec): void {
  if (rec.pid instanceof Pid) st.byPid.delete(rec.pid);
  if (restartOf(rec.spec) === 'temporary') removeRec(st, rec);
  else rec.pid = undefined;
}

/** Starts `recs` in order; stops at the first failure and returns it (OTP `start_children/2`). */
async function startChildren(
  st: SupState,
  recs: readonly ChildRec[],
): Promise<{ id: ChildId; reason: unknown } | undefined> {
  for (const rec of recs) {
    const r = await startChildProcess(st.self, rec.spec.start);
    if (r[0] === 'error') {
      reportError(st.self, st.name, 'start_error', r[1], offender(rec, undefined));
      return { id: rec.id, reason: r[1] };
    }
    if (r[1] === undefined && restartOf(rec.spec) === 'temporary') removeRec(st, rec);
    else setPid(st, rec, r[1]);
  }
  return undefined;
}

/** OTP's `do_terminate/2`: stop the child's process, report an unexpected exit reason. */
async function doTerminate(st: SupState, rec: ChildRec): Promise<void> {
  const pid = rec.pid;
  if (!(pid instanceof Pid)) return;
  st.byPid.delete(pid);
  const reason = await shutdownOne(st.self, pid, shutdownOf(rec.spec));
  if (!isCleanShutdown(rec.spec, reason))
    reportError(st.self, st.name, 'shutdown_error', reason, offender(rec));
}

/** Stops `recs` one at a time in reverse order (OTP `terminate_children/2`); temporary children are forgotten. */
async function terminateChildren(st: SupState, recs: readonly ChildRec[]): Promise<void> {
  const list = recs.slice();
  for (let i = list.length - 1; i >= 0; i--) {
    const rec = list[i]!;
    await doTerminate(st, rec);
    if (restartOf(rec.spec) === 'temporary') removeRec(st, rec);
    else rec.pid = undefined;
  }
}

// ---- restarts -------------------------------------------------------------------------

/** A child exited (OTP `do_restart/3`). */
function onChildExit(st: SupState, rec: ChildRec, reason: unknown): NoReply | Promise<NoReply> {
  const restart = restartOf(rec.spec);
  if (isReportedExit(restart, reason))
    reportError(st.self, st.name, 'child_terminated', reason, offender(rec));
  if (isRestarted(restart, reason)) return restartRec(st, rec, reason);
  delChild(st, rec);
  return autoShutdown(st, rec) ? ['stop', 'shutdown', st] : ['noreply', st];
}

/** OTP 24 `auto_shutdown`: a significant child ended by itself. */
function autoShutdown(st: SupState, rec: ChildRec): boolean {
  if (st.autoShutdown === 'never' || !significantOf(rec.spec)) return false;
  if (st.autoShutdown === 'any_significant') return true;
  return !st.children.some((c) => significantOf(c.spec) && c.pid !== undefined);
}

/** OTP `restart/2`: count the restart against the intensity, then restart by strategy. */
function restartRec(st: SupState, rec: ChildRec, reason: unknown): NoReply | Promise<NoReply> {
  if (!st.intensity.add()) {
    reportError(st.self, st.name, 'shutdown', 'reached_max_restart_intensity', offender(rec));
    delChild(st, rec);
    return ['stop', 'shutdown', st];
  }
  reportProgress(st.self, st.name, 'restarting', offender(rec), reason);
  if (rec.pid instanceof Pid) st.byPid.delete(rec.pid);
  return restartByStrategy(st, rec).then((failed): NoReply => {
    // Let other messages (a shutdown, say) in before trying again.
    if (failed !== undefined) st.self.send(st.self.pid, new TryAgain(failed));
    return ['noreply', st];
  });
}

/** Restarts `rec` (and its siblings, by strategy); returns the id of a child that failed to start. */
async function restartByStrategy(st: SupState, rec: ChildRec): Promise<ChildId | undefined> {
  if (st.strategy === 'one_for_one') {
    const r = await startChildProcess(st.self, rec.spec.start);
    if (r[0] === 'ok') {
      setPid(st, rec, r[1]);
      return undefined;
    }
    rec.pid = 'restarting';
    reportError(st.self, st.name, 'start_error', r[1], offender(rec));
    return rec.id;
  }
  rec.pid = undefined;
  const from = st.strategy === 'one_for_all' ? 0 : st.children.indexOf(rec);
  await terminateChildren(st, st.children.slice(from));
  // Temporary children were dropped while stopping; start what is left from `rec` on.
  const restartFrom = st.strategy === 'one_for_all' ? 0 : st.children.indexOf(rec);
  const failure = await startChildren(st, st.children.slice(restartFrom));
  if (failure === undefined) return undefined;
  const failed = st.children.find((c) => c.id === failure.id);
  if (failed !== undefined) failed.pid = 'restarting';
  return failure.id;
}

// ---- management calls -------------------------------------------------------------------

const find = (st: SupState, id: ChildId): ChildRec | undefined => st.children.find((c) => c.id === id);

/** OTP `handle_start_child/2`. */
async function handleStartChild(st: SupState, spec: ChildSpec): Promise<StartChildResult> {
  const invalid = checkChildSpec(spec, st.autoShutdown);
  if (invalid !== undefined) return ['error', invalid];
  const existing = find(st, spec.id);
  if (existing !== undefined)
    return existing.pid instanceof Pid
      ? ['error', ['already_started', existing.pid]]
      : ['error', 'already_present'];
  const rec: ChildRec = { id: spec.id, spec, pid: undefined };
  // As in OTP, a failed startChild is the caller's to handle: it is returned, not reported.
  const r = await startChildProcess(st.self, spec.start);
  if (r[0] === 'error') return r;
  if (r[1] !== undefined || restartOf(spec) !== 'temporary') {
    st.children.push(rec);
    setPid(st, rec, r[1]);
  }
  return r;
}

async function handleTerminateChild(st: SupState, id: ChildId): Promise<'ok' | ['error', 'not_found']> {
  const rec = find(st, id);
  if (rec === undefined) return ['error', 'not_found'];
  await doTerminate(st, rec);
  delChild(st, rec);
  return 'ok';
}

async function handleRestartChild(st: SupState, id: ChildId): Promise<StartChildResult> {
  const rec = find(st, id);
  if (rec === undefined) return ['error', 'not_found'];
  if (rec.pid === 'restarting') return ['error', 'restarting'];
  if (rec.pid !== undefined) return ['error', 'running'];
  const r = await startChildProcess(st.self, rec.spec.start);
  if (r[0] === 'ok') setPid(st, rec, r[1]);
  return r;
}

function handleDeleteChild(
  st: SupState,
  id: ChildId,
): 'ok' | ['error', 'running' | 'restarting' | 'not_found'] {
  const rec = find(st, id);
  if (rec === undefined) return ['error', 'not_found'];
  if (rec.pid === 'restarting') return ['error', 'restarting'];
  if (rec.pid !== undefined) return ['error', 'running'];
  removeRec(st, rec);
  return 'ok';
}

function whichChildrenOf(st: SupState): ChildInfo[] {
  return st.children.map((c): ChildInfo => [c.id, c.pid, typeOf(c.spec)]);
}

function countChildrenOf(st: SupState): ChildCounts {
  const counts: ChildCounts = { specs: 0, active: 0, supervisors: 0, workers: 0 };
  for (const c of st.children) {
    counts.specs++;
    if (c.pid instanceof Pid && st.self.node.isAlive(c.pid)) counts.active++;
    if (typeOf(c.spec) === 'supervisor') counts.supervisors++;
    else counts.workers++;
  }
  return counts;
}

// ---- the server -------------------------------------------------------------------------

const SupervisorServer: GenServerBehaviour<SupTypes> = {
  name: 'supervisor',

  init({ children, flags, name }, self) {
    self.trapExit(true);
    const badFlags = checkFlags(flags);
    if (badFlags !== undefined) return ['stop', ['supervisor_data', badFlags]];
    const autoShutdownFlag = flags.autoShutdown ?? SUPERVISOR_FLAG_DEFAULTS.autoShutdown;
    const ids = new Set<ChildId>();
    for (const spec of children) {
      const bad = checkChildSpec(spec, autoShutdownFlag);
      if (bad !== undefined) return ['stop', ['start_spec', bad]];
      if (ids.has(spec.id)) return ['stop', ['start_spec', ['duplicate_child_name', spec.id]]];
      ids.add(spec.id);
    }
    const st: SupState = {
      self,
      name: name ?? self.pid.toString(),
      strategy: flags.strategy ?? SUPERVISOR_FLAG_DEFAULTS.strategy,
      autoShutdown: autoShutdownFlag,
      intensity: new RestartIntensity(
        self.node.clock,
        flags.intensity ?? SUPERVISOR_FLAG_DEFAULTS.intensity,
        flags.period ?? SUPERVISOR_FLAG_DEFAULTS.period,
      ),
      children: children.map((spec) => ({ id: spec.id, spec, pid: undefined })),
      byPid: new Map(),
    };
    return startChildren(st, st.children).then(async (failure) => {
      if (failure === undefined) return ['ok', st];
      // OTP init_children/2: stop the ones already started (in reverse), then fail the start.
      await terminateChildren(st, st.children);
      return ['stop', ['shutdown', ['failed_to_start_child', failure.id, failure.reason]]];
    });
  },

  handleCall(req, _from, st): Reply | Promise<Reply> {
    if (req === 'which_children') return ['reply', whichChildrenOf(st), st];
    if (req === 'count_children') return ['reply', countChildrenOf(st), st];
    switch (req[0]) {
      case 'start_child':
        return handleStartChild(st, req[1]).then((r): Reply => ['reply', r, st]);
      case 'terminate_child':
        return handleTerminateChild(st, req[1]).then((r): Reply => ['reply', r, st]);
      case 'restart_child':
        return handleRestartChild(st, req[1]).then((r): Reply => ['reply', r, st]);
      case 'delete_child':
        return ['reply', handleDeleteChild(st, req[1]), st];
    }
    return ['reply', ['error', ['unknown_request', req]], st];
  },

  handleInfo(msg, st): NoReply | Promise<NoReply> {
    if (isExitMessage(msg)) {
      const rec = st.byPid.get(msg[1]);
      // An EXIT from a pid that is no longer a child (already replaced or stopped): ignore, as OTP does.
      if (rec === undefined) return ['noreply', st];
      st.byPid.delete(msg[1]);
      return onChildExit(st, rec, msg[2]);
    }
    if (msg instanceof TryAgain) {
      const rec = find(st, msg.id);
      if (rec?.pid === 'restarting') return restartRec(st, rec, 'try_again_restart');
      return ['noreply', st];
    }
    st.self.logger.error(
      { label: 'supervisor_unexpected_message', supervisor: st.name, message: describeValue(msg) },
      `supervisor ${st.name} received an unexpected message`,
    );
    return ['noreply', st];
  },

  terminate(_reason, st) {
    return terminateChildren(st, st.children);
  },

  formatStatus({ state }) {
    return {
      state: {
        name: state.name,
        strategy: state.strategy,
        intensity: state.intensity.intensity,
        period: state.intensity.period,
        restarts: state.intensity.count,
        children: whichChildrenOf(state),
      },
    };
  },
};

function serverOptions(opts: SupervisorOptions): StartOptions {
  const o: StartOptions = {};
  if (opts.name !== undefined) o.name = opts.name;
  if (opts.timeout !== undefined) o.timeout = opts.timeout;
  return o;
}

/**
 * Starts a supervisor, not linked (OTP `supervisor:start_link/2` without the link; Elixir
 * `Supervisor.start_link/2`): its children start in order before the promise resolves. If
 * one fails, the ones already started are stopped in reverse order and the promise rejects
 * with a `StartError` whose reason is `['shutdown', ['failed_to_start_child', id, reason]]`.
 *
 * @example
 * const sup = await Supervisor.start(node, [
 *   { id: 'a', start: () => GenServer.startLink(node, Worker, 'a') },
 * ], { strategy: 'one_for_one', intensity: 3, period: 5 });
 */
export function start(
  node: NodeCore,
  children: readonly ChildSpec[],
  opts: SupervisorOptions = {},
): Promise<Pid<any>> {
  return startServer(node, SupervisorServer, { children, flags: opts, name: opts.name }, serverOptions(opts));
}

/**
 * Like {@link start}, linked to the calling process: what a child spec's `start` of a
 * nested supervisor calls (with `type: 'supervisor'`).
 *
 * @example
 * { id: 'workers', type: 'supervisor', start: () => Supervisor.startLink(node, workerSpecs) }
 */
export function startLink(
  node: NodeCore,
  children: readonly ChildSpec[],
  opts: SupervisorOptions = {},
): Promise<Pid<any>> {
  return startServerLink(
    node,
    SupervisorServer,
    { children, flags: opts, name: opts.name },
    serverOptions(opts),
  );
}

/**
 * Adds a child and starts it (OTP `supervisor:start_child/2`). Resolves `['ok', pid]`
 * (`['ok', undefined]` if its start returned 'ignore'), or `['error', reason]`:
 * `['already_started', pid]`, `'already_present'`, an invalid spec, or the start failure.
 *
 * @example
 * const [tag, pid] = await Supervisor.startChild(sup, { id: 'late', start: () => GenServer.startLink(node, W, 1) });
 */
export function startChild(sup: ServerRef, spec: ChildSpec): Promise<StartChildResult> {
  return call(sup, ['start_child', spec], 'infinity');
}

/**
 * Stops a child by id, honouring its shutdown (OTP `supervisor:terminate_child/2`); its
 * spec stays (restart it with {@link restartChild}) unless it is temporary. Resolves `'ok'`
 * or `['error', 'not_found']`.
 */
export function terminateChild(sup: ServerRef, id: ChildId): Promise<'ok' | ['error', 'not_found']> {
  return call(sup, ['terminate_child', id], 'infinity');
}

/**
 * Starts again a child whose spec is kept but whose process is not running (OTP
 * `supervisor:restart_child/2`): `['ok', pid]`, or `['error', 'running' | 'restarting' |
 * 'not_found' | reason]`.
 */
export function restartChild(sup: ServerRef, id: ChildId): Promise<StartChildResult> {
  return call(sup, ['restart_child', id], 'infinity');
}

/**
 * Removes the spec of a child that is not running (OTP `supervisor:delete_child/2`):
 * `'ok'`, or `['error', 'running' | 'restarting' | 'not_found']`.
 */
export function deleteChild(
  sup: ServerRef,
  id: ChildId,
): Promise<'ok' | ['error', 'running' | 'restarting' | 'not_found']> {
  return call(sup, ['delete_child', id], 'infinity');
}

/** Every child in start order as `[id, pid | 'restarting' | undefined, type]` (OTP `which_children/1`). */
export function whichChildren(sup: ServerRef): Promise<ChildInfo[]> {
  return call(sup, 'which_children', 'infinity');
}

/** Counts of specs, live children, supervisors and workers (OTP `count_children/1`). */
export function countChildren(sup: ServerRef): Promise<ChildCounts> {
  return call(sup, 'count_children', 'infinity');
}

/** Stops the supervisor: its children stop in reverse order first (`GenServer.stop`). */
export function stop(
  sup: ServerRef,
  reason: ExitReason = 'normal',
  timeout: number | 'infinity' = 'infinity',
): Promise<void> {
  return stopServer(sup, reason, timeout);
}
