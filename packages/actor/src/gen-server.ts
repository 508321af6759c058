/**
 * The generic server (OTP `gen_server`, Elixir `GenServer`): a callback process whose loop
 * is owned here, while a user module ({@link GenServerBehaviour}) owns only callbacks that
 * return result tuples. Import it as a namespace: `GenServer.start`, `GenServer.call`, ...
 *
 * @example
 * import { createNode, GenServer, type GenServerBehaviour } from '@corral/actor';
 *
 * type T = { args: number; state: number; call: 'get' | ['add', number]; reply: number; cast: 'reset' };
 * const Counter: GenServerBehaviour<T> = {
 *   init: (start) => ['ok', start],
 *   handleCall: (req, _from, n) => (req === 'get' ? ['reply', n, n] : ['reply', n + req[1], n + req[1]]),
 *   handleCast: (_reset, _n) => ['noreply', 0],
 * };
 * const node = createNode({ name: 'demo' });
 * const counter = await GenServer.start(node, Counter, 0, { name: 'counter' });
 * await GenServer.call(counter, ['add', 5]); // 5
 * GenServer.cast(counter, 'reset');
 * await GenServer.stop(counter);
 */
import { BadReturnError, describeValue, reasonOf, StartError } from './call-error.js';
import { ActorError, badArg, ExitException, notInProcess } from './errors.js';
import { Call, Cast, reply as replyTo, SysStop, USER_CALL } from './gen-server-call.js';
import type {
  ArgsOf,
  GenServerBehaviour,
  GenServerTypes,
  Started,
  StartOptions,
} from './gen-server-types.js';
import type { NodeCore } from './node-core.js';
import type { Pid, Ref } from './pid.js';
import type { Proc, ProcessBehaviour, Self } from './process.js';
import { type ExitReason, formatReason, isCleanExit, isCrash } from './reason.js';
import { isThenable } from './thenable.js';

export { call, cast, getState, reply, stop } from './gen-server-call.js';
export type {
  Action,
  CallResult,
  From,
  GenServerBehaviour as Behaviour,
  GenServerPid as ServerPid,
  GenServerTypes as Types,
  InitResult,
  NoReplyResult,
  ServerRef,
  Started,
  StartOptions,
} from './gen-server-types.js';

/** Marks the message a timeout action schedules (`['timeout', ref, GEN_TIMEOUT]`, as `erlang:start_timer` sends). */
const GEN_TIMEOUT: unique symbol = Symbol('gen_server.timeout');

type Next = ServerProcess | Promise<ServerProcess>;

interface Starter {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: unknown;
  /** Cancels the exit hook that fails the start if the process dies before `init` returns. */
  cancelExitHook: (() => void) | undefined;
}

function missingCallback(server: string, what: string, callback: string): ActorError {
  return new ActorError('ERR_NO_CALLBACK', `${server} received ${what} but defines no ${callback}`);
}

/**
 * One running server: the runtime's process behaviour (its `init` and `handle`) and the
 * server's record (the process state is this object, so a message allocates nothing here).
 */
class ServerProcess implements ProcessBehaviour<unknown, ServerProcess> {
  readonly name: string;
  self: Self = undefined as unknown as Self;
  state: unknown = undefined;
  /** The pending timeout action's timer, if any. */
  timer: Ref | undefined = undefined;
  lastMessage: unknown = undefined;

  constructor(
    readonly mod: GenServerBehaviour<any>,
    readonly args: unknown,
    /** Exit signals from here run `terminate` when trapping (OTP's Parent); plain code for `start` from outside a process. */
    readonly parent: Pid<any> | undefined,
    public starter: Starter | undefined,
  ) {
    this.name = mod.name ?? 'gen_server';
  }

  // ---- start ------------------------------------------------------------------------

  init(self: Self): Next {
    this.self = self;
    let r: unknown;
    try {
      r = this.mod.init(this.args, self);
    } catch (e) {
      return this.initFailed(reasonOf(e));
    }
    if (isThenable(r)) {
      return Promise.resolve(r).then(
        (v) => this.resume(() => this.initResult(v)),
        (e: unknown) => this.resume(() => this.initFailed(reasonOf(e))),
      );
    }
    return this.initResult(r);
  }

  private initResult(r: unknown): Next {
    if (r === 'ignore') {
      // OTP 26 proc_lib:init_fail: the starter learns `ignore`; the process ends 'normal', unseen by its parent.
      if (this.parent !== undefined) this.self.unlink(this.parent);
      const s = this.takeStarter();
      s?.resolve('ignore');
      throw new ExitException('normal');
    }
    if (Array.isArray(r)) {
      if (r[0] === 'ok' && (r.length === 2 || (r.length === 3 && validAction(r[2])))) {
        this.state = r[1];
        this.takeStarter()?.resolve(this.self.pid);
        return r.length === 2 ? this : this.action(r[2], 'init', r);
      }
      if (r[0] === 'stop' && r.length === 2) return this.initFailed(r[1]);
    }
    return this.initFailed(['crash', new BadReturnError('init', r)]);
  }

  /** `init` failed: the starter's promise rejects, and the process exits with the reason (no `terminate`, as in OTP). */
  private initFailed(reason: unknown): never {
    this.takeStarter()?.reject(new StartError(reason));
    this.report(reason, undefined);
    throw new ExitException(reason);
  }

  takeStarter(): Starter | undefined {
    const s = this.starter;
    if (s !== undefined) {
      this.starter = undefined;
      if (s.timer !== undefined) this.self.node.clock.clearTimeout(s.timer);
      s.cancelExitHook?.();
    }
    return s;
  }

  // ---- the loop -------------------------------------------------------------------

  handle(msg: unknown): Next {
    const timer = this.timer;
    if (timer !== undefined) {
      if (isGenTimeout(msg)) {
        if (msg[1] !== timer) return this; // a stale timeout from an earlier action
        this.timer = undefined;
        this.lastMessage = 'timeout';
        return this.onInfo('timeout');
      }
      // Any other message arrived in time: the timeout is off (OTP's receive ... after).
      this.timer = undefined;
      this.self.cancelTimer(timer);
    }
    this.lastMessage = msg;
    if (msg instanceof Call) return msg.kind === USER_CALL ? this.onCall(msg) : this.onSystemCall(msg);
    if (msg instanceof Cast) return this.onCast(msg.msg);
    if (msg instanceof SysStop) return this.terminate(msg.reason);
    if (Array.isArray(msg)) {
      // An exit signal from the parent while trapping exits: the supervisor shutdown path.
      if (msg[0] === 'EXIT' && msg.length === 3 && msg[1] === this.parent) return this.terminate(msg[2]);
      if (isGenTimeout(msg)) return this;
    }
    return this.onInfo(msg);
  }

  private onCall(c: Call): Next {
    if (this.mod.handleCall === undefined)
      return this.crash(missingCallback(this.name, 'a call', 'handleCall'));
    let r: unknown;
    try {
      r = this.mod.handleCall(c.req, c, this.state, this.self);
    } catch (e) {
      return this.crash(e);
    }
    return isThenable(r) ? this.later(r, 'handleCall', c) : this.result(r, 'handleCall', c);
  }

  private onSystemCall(c: Call): Next {
    // GET_STATE, the only system call: sys:get_state answers with the raw state.
    replyTo(c, this.state);
    return this;
  }

  private onCast(msg: unknown): Next {
    if (this.mod.handleCast === undefined)
      return this.crash(missingCallback(this.name, 'a cast', 'handleCast'));
    let r: unknown;
    try {
      r = this.mod.handleCast(msg, this.state, this.self);
    } catch (e) {
      return this.crash(e);
    }
    return isThenable(r) ? this.later(r, 'handleCast') : this.result(r, 'handleCast');
  }

  private onInfo(msg: unknown): Next {
    if (this.mod.handleInfo === undefined) {
      // OTP logs gen_server:no_handle_info as a warning and carries on.
      this.self.logger.warn(
        { label: 'no_handle_info', behaviour: this.name, message: describeValue(msg) },
        `${this.name} has no handleInfo for a message; dropped`,
      );
      return this;
    }
    let r: unknown;
    try {
      r = this.mod.handleInfo(msg, this.state, this.self);
    } catch (e) {
      return this.crash(e);
    }
    return isThenable(r) ? this.later(r, 'handleInfo') : this.result(r, 'handleInfo');
  }

  private onContinue(arg: unknown): Next {
    if (this.mod.handleContinue === undefined)
      return this.crash(missingCallback(this.name, "['continue', x]", 'handleContinue'));
    let r: unknown;
    try {
      r = this.mod.handleContinue(arg, this.state, this.self);
    } catch (e) {
      return this.crash(e);
    }
    return isThenable(r) ? this.later(r, 'handleContinue') : this.result(r, 'handleContinue');
  }

  /** A callback returned a promise: the process is busy until it settles, then the result is applied. */
  private later(p: PromiseLike<unknown>, callback: string, c?: Call): Promise<ServerProcess> {
    return Promise.resolve(p).then(
      (r) => this.resume(() => this.result(r, callback, c)),
      (e: unknown) => this.resume(() => this.crash(e)),
    );
  }

  /** Runs `fn` as this process (after an await), unless it was killed meanwhile. */
  private resume(fn: () => Next): Next {
    const self = this.self;
    if (!self.node.isAlive(self.pid)) return this;
    return self.node.runAs(self, fn);
  }

  // ---- results ----------------------------------------------------------------------

  private result(r: unknown, callback: string, c?: Call): Next {
    if (Array.isArray(r)) {
      const n = r.length;
      switch (r[0]) {
        case 'reply':
          if (c === undefined || (n !== 3 && n !== 4) || (n === 4 && !validAction(r[3]))) break;
          this.state = r[2];
          replyTo(c, r[1]);
          return n === 3 ? this : this.action(r[3], callback, r);
        case 'noreply':
          if ((n !== 2 && n !== 3) || (n === 3 && !validAction(r[2]))) break;
          this.state = r[1];
          return n === 2 ? this : this.action(r[2], callback, r);
        case 'stop':
          if (n === 4 && c !== undefined) {
            this.state = r[3];
            return this.terminate(r[1], c, r[2]);
          }
          if (n === 3) {
            this.state = r[2];
            return this.terminate(r[1]);
          }
          break;
      }
    }
    return this.crash(new BadReturnError(callback, r));
  }

  /** The element after the state: a timeout, 'infinity', 'hibernate' or ['continue', x] (already validated). */
  private action(a: unknown, callback: string, r: unknown): Next {
    if (typeof a === 'number') {
      this.arm(a);
      return this;
    }
    if (a === 'hibernate') {
      this.self.hibernate();
      return this;
    }
    if (Array.isArray(a)) return this.onContinue(a[1]);
    if (a === 'infinity') return this;
    return this.crash(new BadReturnError(callback, r));
  }

  private arm(ms: number): void {
    const self = this.self;
    if (ms === 0) {
      // OTP: a 0 timeout fires at once unless a message is already waiting; queueing the
      // timeout message behind those messages gives exactly that.
      const ref = self.node.makeRef();
      this.timer = ref;
      self.send(self.pid, ['timeout', ref, GEN_TIMEOUT]);
    } else {
      this.timer = self.startTimer(ms, self.pid, GEN_TIMEOUT);
    }
  }

  // ---- the end ----------------------------------------------------------------------

  private crash(e: unknown): Next {
    return this.terminate(reasonOf(e));
  }

  /** Runs `terminate(reason, state)` (maybe async), then replies if asked (OTP replies after terminate) and exits. */
  private terminate(reason: unknown, c?: Call, value?: unknown): Next {
    if (this.timer !== undefined) {
      this.self.cancelTimer(this.timer);
      this.timer = undefined;
    }
    if (this.mod.terminate !== undefined) {
      let r: unknown;
      try {
        r = this.mod.terminate(reason as ExitReason, this.state, this.self);
      } catch (e) {
        return this.exit(reasonOf(e), c, value);
      }
      if (isThenable(r)) {
        // Killed while terminating (a supervisor's shutdown timeout, say): nothing left to do.
        return Promise.resolve(r).then(
          () => this.resume(() => this.exit(reason, c, value)),
          (e: unknown) => this.resume(() => this.exit(reasonOf(e), c, value)),
        );
      }
    }
    return this.exit(reason, c, value);
  }

  private exit(reason: unknown, c: Call | undefined, value: unknown): never {
    if (c !== undefined) replyTo(c, value);
    this.report(reason, this.lastMessage);
    throw new ExitException(reason);
  }

  /**
   * OTP logs a terminating server whose reason is not normal/shutdown. A crash is reported
   * once already, by the runtime's crash_report; this covers the other abnormal reasons.
   */
  private report(reason: unknown, lastMessage: unknown): void {
    if (isCleanExit(reason) || isCrash(reason)) return;
    this.self.logger.error(
      {
        label: 'gen_server_terminate',
        behaviour: this.name,
        reason: formatReason(reason),
        lastMessage: describeValue(describeMessage(lastMessage)),
        state: this.formatState(),
      },
      `${this.name} terminating: ${formatReason(reason)}`,
    );
  }

  /** What `processInfo(pid).state` shows: the state, through `formatStatus` if the module has one. */
  formatState(): unknown {
    const f = this.mod.formatStatus;
    return f === undefined ? this.state : f.call(this.mod, { state: this.state }).state;
  }
}

/** A message as the log shows it: what a call or cast carried, tagged like OTP's `{'$gen_call', ...}`. */
function describeMessage(msg: unknown): unknown {
  if (msg instanceof Call) return ['call', msg.req];
  if (msg instanceof Cast) return ['cast', msg.msg];
  if (msg instanceof SysStop) return ['stop', msg.reason];
  return msg;
}

function isGenTimeout(msg: unknown): msg is ['timeout', Ref, typeof GEN_TIMEOUT] {
  return Array.isArray(msg) && msg.length === 3 && msg[2] === GEN_TIMEOUT && msg[0] === 'timeout';
}

function validAction(a: unknown): boolean {
  return (
    (typeof a === 'number' && a >= 0 && Number.isFinite(a)) ||
    a === 'infinity' ||
    a === 'hibernate' ||
    (Array.isArray(a) && a.length === 2 && a[0] === 'continue')
  );
}

function spawnServer(
  node: NodeCore,
  mod: GenServerBehaviour<any>,
  args: unknown,
  opts: StartOptions | undefined,
  link: boolean,
  fn: string,
): Promise<any> {
  if (mod === null || typeof mod !== 'object' || typeof mod.init !== 'function')
    throw badArg(`GenServer.${fn} needs a behaviour object with an init function`);
  const timeout = opts?.timeout ?? 'infinity';
  if (timeout !== 'infinity' && !(typeof timeout === 'number' && timeout >= 0))
    throw badArg(`GenServer.${fn} needs a timeout >= 0 ms or 'infinity', got ${String(timeout)}`);
  const caller = node.current;
  if (link && caller === undefined) throw notInProcess(`GenServer.${fn}`);
  // OTP's Parent is the linked caller; for `start` it is the process itself (nobody). From
  // plain code we let plain code be the parent, so `node.exit(pid, 'shutdown')` there
  // stops a trapping server in order (see docs/decisions.md).
  const parent = link ? caller!.pid : caller === undefined ? node.outside : undefined;
  return new Promise((resolve, reject) => {
    const starter: Starter = { resolve, reject, timer: undefined, cancelExitHook: undefined };
    const server = new ServerProcess(mod, args, parent, starter);
    const spawnOpts = opts?.name === undefined ? undefined : { name: opts.name };
    let pid: Pid<any>;
    try {
      pid = link ? node.spawnLink(server, spawnOpts) : node.spawn(server, spawnOpts);
    } catch (e) {
      const holder = opts?.name === undefined ? undefined : node.whereis(opts.name);
      if (e instanceof ActorError && e.code === 'ERR_NAME_TAKEN' && holder !== undefined)
        reject(new StartError(['already_started', holder]));
      else reject(e);
      return;
    }
    // Killed before init returned (its linked caller died, say): the start fails with that reason.
    starter.cancelExitHook = node.onExit(pid, (reason) => {
      if (server.starter !== starter) return;
      server.starter = undefined;
      if (starter.timer !== undefined) node.clock.clearTimeout(starter.timer);
      reject(new StartError(reason));
    });
    if (timeout !== 'infinity') {
      starter.timer = node.clock.setTimeout(() => {
        const s = server.starter;
        if (s === undefined) return;
        server.starter = undefined;
        // OTP proc_lib: unlink, kill, report timeout; the starter does not see the 'killed' signal.
        const proc = pid._proc as Proc | undefined;
        if (proc !== undefined && parent !== undefined && link) node.unlink(proc, parent);
        node.exit(pid, 'kill');
        s.reject(new StartError('timeout'));
      }, timeout);
    }
  });
}

/**
 * Starts a GenServer without a link (OTP `gen_server:start/3,4`). Resolves with its pid once
 * `init` has run in the new process; rejects with a {@link StartError} carrying the reason
 * when `init` returns `['stop', reason]`, throws (`['crash', error]`), returns something
 * malformed, exceeds `timeout`, or the name is taken (`['already_started', pid]`). Resolves
 * `'ignore'` when `init` returns `'ignore'` (declare `ignore: true` in the types to allow it).
 *
 * @example
 * const pid = await GenServer.start(node, Counter, 0, { name: 'counter' });
 */
export function start<T extends GenServerTypes>(
  node: NodeCore,
  behaviour: GenServerBehaviour<T>,
  args: ArgsOf<T>,
  opts?: StartOptions,
): Promise<Started<T>> {
  return spawnServer(node, behaviour, args, opts, false, 'start');
}

/**
 * Like {@link start}, linked to the calling process (OTP `gen_server:start_link/3,4`): the
 * process whose code is running (`node.current`; after an `await`, wrap the call in
 * `node.runAs(self, ...)`). Throws `ERR_NOT_IN_PROCESS` from plain code. As in OTP, when
 * `init` fails the exit signal reaches the caller too (it dies unless it traps exits).
 *
 * @example
 * init: (_args, self) => { void GenServer.startLink(self.node, Worker, 'w1'); return ['ok', {}]; }
 */
export function startLink<T extends GenServerTypes>(
  node: NodeCore,
  behaviour: GenServerBehaviour<T>,
  args: ArgsOf<T>,
  opts?: StartOptions,
): Promise<Started<T>> {
  return spawnServer(node, behaviour, args, opts, true, 'startLink');
}
