/**
 * The dynamic supervisor (Elixir `DynamicSupervisor`, OTP's `simple_one_for_one`): starts
 * no children itself; `startChild` adds them one by one, many from one template, each
 * restarted one_for_one by its own restart type. Kept apart from the static
 * {@link Supervisor} as Elixir keeps them apart: children are kept in a Map keyed by pid,
 * so starting one and handling its exit cost O(1) however many siblings it has, and
 * shutting the supervisor down stops all children at once against one deadline per
 * shutdown time.
 *
 * @example
 * import { DynamicSupervisor, GenServer } from '@corral/actor';
 *
 * const sup = await DynamicSupervisor.start(node, { maxChildren: 10_000, name: 'conns' });
 * const [, pid] = await DynamicSupervisor.startChild(sup, {
 *   start: () => GenServer.startLink(node, Connection, socket),
 *   restart: 'temporary',
 * });
 * await DynamicSupervisor.countChildren(sup); // { specs: 1, active: 1, supervisors: 0, workers: 1 }
 */
import { describeValue } from './call-error.js';
import {
  type ShutdownTarget,
  type StartOutcome,
  shutdownAll,
  shutdownOne,
  startChildProcess,
} from './child-lifecycle.js';
import {
  type ChildSpec,
  type ChildType,
  checkChildSpec,
  isCleanShutdown,
  isReportedExit,
  isRestarted,
  restartOf,
  shutdownOf,
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
import type { Pid } from './pid.js';
import type { Self } from './process.js';
import { type ExitReason, formatReason, isExitMessage } from './reason.js';
import { checkIntensity, RestartIntensity } from './restart-intensity.js';
import { reportError, reportProgress } from './supervisor-reports.js';

/** A dynamic child's spec: a {@link ChildSpec} whose `id` is optional and ignored (Elixir's too). */
export interface DynamicChildSpec extends Omit<ChildSpec, 'id' | 'significant'> {
  id?: string;
}

/** Options of {@link start}: restart intensity, a cap on children, and the generic start options. */
export interface DynamicSupervisorOptions extends StartOptions {
  /** Restarts allowed within `period`; one more and the supervisor shuts down. Default 3. */
  intensity?: number;
  /** Seconds. Default 5. */
  period?: number;
  /** `startChild` answers `['error', 'max_children']` at this many children. Default 'infinity'. */
  maxChildren?: number | 'infinity';
}

/** Elixir's `DynamicSupervisor.start_link/1` defaults (`max_restarts: 3, max_seconds: 5`). */
export const DYNAMIC_SUPERVISOR_DEFAULTS = {
  strategy: 'one_for_one',
  intensity: 3,
  period: 5,
  maxChildren: 'infinity',
} as const;

/** One entry of `whichChildren` (Elixir's `{:undefined, pid | :restarting, type, modules}` without modules). */
export type DynamicChildInfo = [id: undefined, child: Pid<any> | 'restarting', type: ChildType];

/** `startChild`'s answer: `['ok', pid]`, `['ok', undefined]` (its start returned 'ignore'), or `['error', reason]` (`'max_children'`, an invalid spec, the start failure). */
export type DynamicStartChildResult = ['ok', Pid<any> | undefined] | ['error', unknown];

export type { ChildCounts } from './supervisor.js';

import type { ChildCounts } from './supervisor.js';

/** A child whose restart failed and is to be tried again, kept under its old pid (Elixir's `{:restarting, child}`). */
class Restarting {
  constructor(readonly spec: DynamicChildSpec) {}
}

/**
 * What is kept of a `temporary` child: how to stop it and what to report, not how to start it —
 * it is never restarted. Elixir's DynamicSupervisor keeps no arguments for one
 * (`mfa_for_restart/2`), and OTP's simple_one_for_one keeps only the pid. So the start function
 * and whatever it holds (a connection's request, its first bytes) are not kept for the child's
 * life, and children with the same shutdown and type share one frozen record.
 */
type TemporaryChild = Readonly<Required<Pick<ChildSpec, 'restart' | 'shutdown' | 'type'>>>;

/** Records shared by a supervisor's temporary children: one per (type, shutdown) seen, at most this many. */
const MAX_TEMPORARY_RECORDS = 16;

/** Sent to itself when a restart failed (Elixir's `{:"$gen_restart", pid}`). */
class TryAgain {
  constructor(readonly pid: Pid<any>) {}
}

type Entry = DynamicChildSpec | TemporaryChild | Restarting;
/** The fields of a child's spec the supervisor acts on once the child runs. */
type ChildFields = DynamicChildSpec | TemporaryChild;

interface DynState {
  readonly self: Self;
  readonly name: string;
  readonly maxChildren: number;
  readonly intensity: RestartIntensity;
  readonly children: Map<Pid<any>, Entry>;
  /** Kept as counts so `countChildren` does not walk the children. */
  restarting: number;
  supervisors: number;
  /** The shared records of temporary children, one per (type, shutdown); made on first use. */
  temporary: TemporaryChild[] | undefined;
}

type DynRequest =
  | 'which_children'
  | 'count_children'
  | ['start_child', DynamicChildSpec]
  | ['terminate_child', Pid<any>];
type DynTypes = {
  args: { opts: DynamicSupervisorOptions };
  state: DynState;
  call: DynRequest;
  reply: unknown;
  info: TryAgain;
};
type Reply = CallResult<unknown, DynState>;
type NoReply = NoReplyResult<DynState>;

const specOf = (e: Entry): ChildFields => (e instanceof Restarting ? e.spec : e);

/** What to keep of a child that started: its spec, or for a temporary child a shared record without its start. */
function entryFor(st: DynState, spec: DynamicChildSpec): ChildFields {
  if (restartOf(spec) !== 'temporary') return spec;
  const type = typeOf(spec);
  const shutdown = shutdownOf(spec);
  const records = (st.temporary ??= []);
  for (const r of records) if (r.type === type && r.shutdown === shutdown) return r;
  const record: TemporaryChild = Object.freeze({ restart: 'temporary', shutdown, type });
  if (records.length < MAX_TEMPORARY_RECORDS) records.push(record);
  return record;
}

function add(st: DynState, pid: Pid<any>, entry: Entry): void {
  st.children.set(pid, entry);
  if (entry instanceof Restarting) st.restarting++;
  if (typeOf(specOf(entry)) === 'supervisor') st.supervisors++;
}

function remove(st: DynState, pid: Pid<any>, entry: Entry): void {
  st.children.delete(pid);
  if (entry instanceof Restarting) st.restarting--;
  if (typeOf(specOf(entry)) === 'supervisor') st.supervisors--;
}

function checkOptions(opts: DynamicSupervisorOptions): unknown {
  const max = opts.maxChildren ?? DYNAMIC_SUPERVISOR_DEFAULTS.maxChildren;
  if (max !== 'infinity' && !(typeof max === 'number' && Number.isInteger(max) && max >= 0))
    return ['invalid_max_children', max];
  return checkIntensity(
    opts.intensity ?? DYNAMIC_SUPERVISOR_DEFAULTS.intensity,
    opts.period ?? DYNAMIC_SUPERVISOR_DEFAULTS.period,
  );
}

// ---- starting and restarting ------------------------------------------------------------

function handleStartChild(
  st: DynState,
  spec: DynamicChildSpec,
): DynamicStartChildResult | Promise<DynamicStartChildResult> {
  const invalid = checkChildSpec(spec, 'never', false);
  if (invalid !== undefined) return ['error', invalid];
  if (st.children.size >= st.maxChildren) return ['error', 'max_children'];
  const r = startChildProcess(st.self, spec.start);
  if (r instanceof Promise) return r.then((o) => started(st, spec, o));
  return started(st, spec, r);
}

function started(st: DynState, spec: DynamicChildSpec, o: StartOutcome): DynamicStartChildResult {
  if (o[0] === 'ok' && o[1] !== undefined) add(st, o[1], entryFor(st, spec));
  return o;
}

function onChildExit(st: DynState, pid: Pid<any>, reason: unknown): NoReply | Promise<NoReply> {
  const entry = st.children.get(pid);
  // Unknown, or already waiting to be restarted under this pid: nothing to do (Elixir's maybe_restart_child/3).
  if (entry === undefined || entry instanceof Restarting) return ['noreply', st];
  remove(st, pid, entry);
  const restart = restartOf(entry);
  if (isReportedExit(restart, reason))
    reportError(st.self, st.name, 'child_terminated', reason, { id: undefined, pid, spec: entry });
  if (!isRestarted(restart, reason)) return ['noreply', st];
  // Restarted, so not temporary: the entry is the child's whole spec.
  return restartChild(st, pid, entry as DynamicChildSpec, reason);
}

function restartChild(
  st: DynState,
  oldPid: Pid<any>,
  spec: DynamicChildSpec,
  reason: unknown,
): NoReply | Promise<NoReply> {
  if (!st.intensity.add()) {
    reportError(st.self, st.name, 'shutdown', 'reached_max_restart_intensity', {
      id: undefined,
      pid: oldPid,
      spec,
    });
    return ['stop', 'shutdown', st];
  }
  reportProgress(st.self, st.name, 'restarting', { id: undefined, pid: oldPid, spec }, reason);
  const r = startChildProcess(st.self, spec.start);
  if (r instanceof Promise) return r.then((o) => restarted(st, oldPid, spec, o));
  return restarted(st, oldPid, spec, r);
}

function restarted(st: DynState, oldPid: Pid<any>, spec: DynamicChildSpec, o: StartOutcome): NoReply {
  if (o[0] === 'ok') {
    if (o[1] !== undefined) add(st, o[1], spec);
    return ['noreply', st];
  }
  reportError(st.self, st.name, 'start_error', o[1], { id: undefined, pid: 'restarting', spec });
  add(st, oldPid, new Restarting(spec));
  st.self.send(st.self.pid, new TryAgain(oldPid));
  return ['noreply', st];
}

// ---- stopping ---------------------------------------------------------------------------

async function handleTerminateChild(st: DynState, pid: Pid<any>): Promise<'ok' | ['error', 'not_found']> {
  const entry = st.children.get(pid);
  if (entry === undefined) return ['error', 'not_found'];
  remove(st, pid, entry);
  if (entry instanceof Restarting) return 'ok';
  const reason = await shutdownOne(st.self, pid, shutdownOf(entry));
  if (!isCleanShutdown(entry, reason))
    reportError(st.self, st.name, 'shutdown_error', reason, { id: undefined, pid, spec: entry });
  return 'ok';
}

/**
 * Stops every child at once (Elixir's `terminate_children/2`): all exit signals go out
 * together, then one wait. Unexpected exit reasons are reported once per reason, with the
 * pids that had it, as OTP does for simple_one_for_one.
 */
async function terminateAll(st: DynState): Promise<void> {
  const targets: ShutdownTarget[] = [];
  const specs: ChildFields[] = [];
  for (const [pid, entry] of st.children) {
    if (entry instanceof Restarting) continue;
    targets.push({ pid, shutdown: shutdownOf(entry) });
    specs.push(entry);
  }
  st.children.clear();
  st.restarting = st.supervisors = 0;
  const reasons = await shutdownAll(st.self, targets);
  let errors: Map<string, { reason: unknown; spec: ChildFields; pids: Pid<any>[] }> | undefined;
  for (let i = 0; i < reasons.length; i++) {
    if (isCleanShutdown(specs[i]!, reasons[i])) continue;
    errors ??= new Map();
    const key = formatReason(reasons[i]);
    const group = errors.get(key);
    if (group === undefined)
      errors.set(key, { reason: reasons[i], spec: specs[i]!, pids: [targets[i]!.pid] });
    else group.pids.push(targets[i]!.pid);
  }
  if (errors === undefined) return;
  for (const { reason, spec, pids } of errors.values())
    reportError(st.self, st.name, 'shutdown_error', reason, { id: undefined, pid: pids, spec });
}

// ---- the server -------------------------------------------------------------------------

const DynamicSupervisorServer: GenServerBehaviour<DynTypes> = {
  name: 'dynamic_supervisor',

  init({ opts }, self) {
    self.trapExit(true);
    const bad = checkOptions(opts);
    if (bad !== undefined) return ['stop', ['supervisor_data', bad]];
    const max = opts.maxChildren ?? DYNAMIC_SUPERVISOR_DEFAULTS.maxChildren;
    const st: DynState = {
      self,
      name: opts.name ?? self.pid.toString(),
      maxChildren: max === 'infinity' ? Number.POSITIVE_INFINITY : max,
      intensity: new RestartIntensity(
        self.node.clock,
        opts.intensity ?? DYNAMIC_SUPERVISOR_DEFAULTS.intensity,
        opts.period ?? DYNAMIC_SUPERVISOR_DEFAULTS.period,
      ),
      children: new Map(),
      restarting: 0,
      supervisors: 0,
      temporary: undefined,
    };
    return ['ok', st];
  },

  handleCall(req, _from, st): Reply | Promise<Reply> {
    if (req === 'count_children') {
      const size = st.children.size;
      const counts: ChildCounts = {
        specs: size,
        active: size - st.restarting,
        supervisors: st.supervisors,
        workers: size - st.supervisors,
      };
      return ['reply', counts, st];
    }
    if (req === 'which_children') {
      const out: DynamicChildInfo[] = [];
      for (const [pid, e] of st.children)
        out.push([undefined, e instanceof Restarting ? 'restarting' : pid, typeOf(specOf(e))]);
      return ['reply', out, st];
    }
    if (req[0] === 'start_child') {
      const r = handleStartChild(st, req[1]);
      return r instanceof Promise ? r.then((v): Reply => ['reply', v, st]) : ['reply', r, st];
    }
    if (req[0] === 'terminate_child')
      return handleTerminateChild(st, req[1]).then((v): Reply => ['reply', v, st]);
    return ['reply', ['error', ['unknown_request', req]], st];
  },

  handleInfo(msg, st): NoReply | Promise<NoReply> {
    if (isExitMessage(msg)) return onChildExit(st, msg[1], msg[2]);
    if (msg instanceof TryAgain) {
      const entry = st.children.get(msg.pid);
      if (!(entry instanceof Restarting)) return ['noreply', st];
      remove(st, msg.pid, entry);
      return restartChild(st, msg.pid, entry.spec, 'try_again_restart');
    }
    st.self.logger.error(
      { label: 'supervisor_unexpected_message', supervisor: st.name, message: describeValue(msg) },
      `dynamic supervisor ${st.name} received an unexpected message`,
    );
    return ['noreply', st];
  },

  terminate(_reason, st) {
    return terminateAll(st);
  },

  formatStatus({ state }) {
    return {
      state: {
        name: state.name,
        children: state.children.size,
        restarting: state.restarting,
        maxChildren: state.maxChildren,
        intensity: state.intensity.intensity,
        period: state.intensity.period,
        restarts: state.intensity.count,
      },
    };
  },
};

function serverOptions(opts: DynamicSupervisorOptions): StartOptions {
  const o: StartOptions = {};
  if (opts.name !== undefined) o.name = opts.name;
  if (opts.timeout !== undefined) o.timeout = opts.timeout;
  return o;
}

/**
 * Starts a dynamic supervisor, not linked (Elixir `DynamicSupervisor.start_link/1` without
 * the link). It starts with no children.
 *
 * @example
 * const sup = await DynamicSupervisor.start(node, { maxChildren: 1000, intensity: 10, period: 1 });
 */
export function start(node: NodeCore, opts: DynamicSupervisorOptions = {}): Promise<Pid<any>> {
  return startServer(node, DynamicSupervisorServer, { opts }, serverOptions(opts));
}

/**
 * Like {@link start}, linked to the calling process (for a child spec with `type: 'supervisor'`).
 *
 * @example
 * { id: 'conns', type: 'supervisor', start: () => DynamicSupervisor.startLink(node, { name: 'conns' }) }
 */
export function startLink(node: NodeCore, opts: DynamicSupervisorOptions = {}): Promise<Pid<any>> {
  return startServerLink(node, DynamicSupervisorServer, { opts }, serverOptions(opts));
}

/**
 * Starts a child under the supervisor (Elixir `DynamicSupervisor.start_child/2`): resolves
 * `['ok', pid]`, `['ok', undefined]` if its start returned 'ignore' (nothing is kept), or
 * `['error', reason]`: `'max_children'`, an invalid spec, or why the start failed.
 *
 * @example
 * const [tag, pid] = await DynamicSupervisor.startChild(sup, { start: () => GenServer.startLink(node, Conn, s), restart: 'temporary' });
 */
export function startChild(sup: ServerRef, spec: DynamicChildSpec): Promise<DynamicStartChildResult> {
  return call(sup, ['start_child', spec], 'infinity');
}

/** Stops the child `pid`, honouring its shutdown: `'ok'`, or `['error', 'not_found']` if it is not a child. */
export function terminateChild(sup: ServerRef, pid: Pid<any>): Promise<'ok' | ['error', 'not_found']> {
  return call(sup, ['terminate_child', pid], 'infinity');
}

/** Every child as `[undefined, pid | 'restarting', type]`, in no particular order. */
export function whichChildren(sup: ServerRef): Promise<DynamicChildInfo[]> {
  return call(sup, 'which_children', 'infinity');
}

/** `{ specs, active, supervisors, workers }`, without walking the children. */
export function countChildren(sup: ServerRef): Promise<ChildCounts> {
  return call(sup, 'count_children', 'infinity');
}

/** Stops the supervisor; all children stop concurrently first (`GenServer.stop`). */
export function stop(
  sup: ServerRef,
  reason: ExitReason = 'normal',
  timeout: number | 'infinity' = 'infinity',
): Promise<void> {
  return stopServer(sup, reason, timeout);
}
