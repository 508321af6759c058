/**
 * An xstate machine (or any xstate actor logic) as a Corral process: gen_statem for
 * TypeScript. The process is a callback process whose state is the machine; every mailbox
 * message becomes an event (see envelope.ts), every action runs as the process. It answers
 * the GenServer protocol, so `GenServer.call`, `cast`, `stop` and `getState` work on it,
 * and it can be linked, monitored, registered and supervised like any process.
 *
 * How it ends:
 * - final state: exit `'normal'`; the machine's output is kept for `Statem.output(pid)`;
 * - the machine fails (a guard, an assign or an action throws; an xstate child's error is
 *   not handled): exit `['crash', error]`, reported once as a `crash_report`;
 * - the `stop(reason)` action: exit `reason`;
 * - `Statem.stop` / `GenServer.stop`, or its parent's exit signal while it traps exits: the
 *   machine gets `corral.terminate`, then the process exits with the reason.
 *
 * @example
 * import { createNode } from '@corral/actor';
 * import { spawnMachine, Statem } from '@corral/statem';
 *
 * const node = createNode({ name: 'door' });
 * const lock = spawnMachine(node, lockMachine, { name: 'front_door', input: { code: '1234' } });
 * node.send(lock, { type: 'button', digit: 1 });
 * await Statem.call(lock, { type: 'status' }); // 'locked'
 */
import {
  ActorError,
  ExitException,
  formatReason,
  GenServerStop,
  isCleanExit,
  isCrash,
  isExitMessage,
  type Node,
  type Pid,
  type ProcessBehaviour,
  type Self,
  StartError,
} from '@corral/actor';
import type { AnyActorLogic } from 'xstate';
import { OutputError } from './errors.js';
import { MachineRunner, type Outcome, type RunnerOptions } from './runner.js';
import type { MachineOptions, MachinePid } from './types.js';

interface Starter {
  resolve(pid: Pid<any>): void;
  reject(error: unknown): void;
}

const NO_OPTIONS: MachineOptions<any> = {};

/** The exit reason a thrown value stands for (`self.exit(r)` / an ExitException gives `r`). */
function reasonOf(e: unknown): unknown {
  return e instanceof ExitException ? e.reason : ['crash', e];
}

/**
 * One machine process: the runtime's callback behaviour, and the process state (the process
 * state is this object, so a message allocates nothing here).
 */
export class MachineProcess implements ProcessBehaviour<unknown, MachineProcess> {
  runner: MachineRunner | undefined = undefined;
  /** Set when the machine reached a final state. */
  output: { value: unknown } | undefined = undefined;
  /** The reason the process ended with, when its own code ended it (for `Statem.output` after the fact). */
  exitReason: unknown = undefined;

  constructor(
    readonly node: Node,
    readonly logic: AnyActorLogic,
    readonly opts: MachineOptions<any>,
    /** Exit signals from here stop the machine in order when it traps exits (OTP's Parent). */
    readonly parent: Pid<any> | undefined,
    private starter: Starter | undefined,
  ) {}

  /** What `processInfo(pid).initialCall` shows: `statem:<machine id>`, or `statem` for a machine without an id. */
  get name(): string {
    const id = (this.logic as { id?: unknown }).id;
    return typeof id === 'string' && id !== '(machine)' ? `statem:${id}` : 'statem';
  }

  init(self: Self): MachineProcess {
    let out: Outcome | undefined;
    try {
      const runner = new MachineRunner(this.logic, self, this.opts as RunnerOptions);
      this.runner = runner;
      runner.start();
      out = runner.outcome();
    } catch (e) {
      this.exitReason = reasonOf(e);
      this.takeStarter()?.reject(new StartError(this.exitReason));
      throw e;
    }
    this.takeStarter()?.resolve(self.pid);
    if (out === undefined) return this;
    try {
      return this.finish(out);
    } catch (e) {
      this.exitReason = reasonOf(e);
      throw e;
    }
  }

  handle(msg: unknown): MachineProcess {
    // try/catch here rather than a wrapper taking a closure: nothing is allocated per message.
    try {
      return this.step(msg);
    } catch (e) {
      this.exitReason = reasonOf(e); // for Statem.output after the fact
      throw e;
    }
  }

  private step(msg: unknown): MachineProcess {
    const runner = this.runner!;
    if (msg instanceof GenServerStop) return this.terminate(msg.reason);
    // Only a process trapping exits sees its parent's exit signal as a message: the
    // supervisor shutdown path, where the machine is stopped in order (gen_statem's terminate).
    if (this.parent !== undefined && isExitMessage(msg) && msg[1] === this.parent)
      return this.terminate(msg[2]);
    runner.receive(msg);
    const out = runner.outcome();
    return out === undefined ? this : this.finish(out);
  }

  /** What `processInfo(pid).state` shows: the machine's snapshot (through `formatState`). */
  formatState(): unknown {
    const snapshot = this.runner?.getSnapshot();
    const f = this.opts.formatState;
    return f === undefined ? snapshot : f(snapshot);
  }

  private takeStarter(): Starter | undefined {
    const s = this.starter;
    this.starter = undefined;
    return s;
  }

  private terminate(reason: unknown): never {
    try {
      this.runner!.terminate(reason);
    } catch (e) {
      throw e instanceof ExitException ? e : new ExitException(reasonOf(e));
    }
    this.report(reason);
    throw new ExitException(reason);
  }

  private finish(out: Outcome): never {
    if (out.kind === 'done') {
      this.output = { value: out.output };
      throw new ExitException('normal');
    }
    this.report(out.reason);
    throw new ExitException(out.reason);
  }

  /** As gen_statem does, an abnormal exit that is not a crash (crashes have their crash_report) is logged once. */
  private report(reason: unknown): void {
    if (isCleanExit(reason) || isCrash(reason)) return;
    const runner = this.runner!;
    runner.self.logger.error(
      {
        label: 'statem_terminate',
        behaviour: this.name,
        reason: formatReason(reason),
        state: (runner.getSnapshot() as { value?: unknown }).value,
      },
      `${this.name} terminating: ${formatReason(reason)}`,
    );
  }
}

/** Machine processes by pid, for `Statem.output` (weak: gone with the pid). */
const processes = new WeakMap<Pid<any>, MachineProcess>();

/** @internal Spawns a machine process; with `starter`, `start`'s promise settles after the initial transition. */
export function spawnProcess(
  node: Node,
  logic: AnyActorLogic,
  opts: MachineOptions<any> | undefined,
  link: boolean,
  fn: string,
  starter?: Starter,
): Pid<any> {
  const caller = node.current;
  if (link && caller === undefined)
    throw new ActorError('ERR_NOT_IN_PROCESS', `${fn} must be called from inside a process (it links to it)`);
  // As GenServer: the parent is the linked caller; plain code is the parent of what it starts.
  const parent = link ? caller!.pid : caller === undefined ? node.outside : undefined;
  const o = opts ?? NO_OPTIONS;
  const proc = new MachineProcess(node, logic, o, parent, starter);
  const spawnOpts =
    o.name === undefined && o.trapExit !== true
      ? undefined
      : o.name === undefined
        ? { trapExit: true }
        : { name: o.name, trapExit: o.trapExit === true };
  const pid = link ? node.spawnLink(proc, spawnOpts) : node.spawn(proc, spawnOpts);
  processes.set(pid, proc);
  return pid;
}

/**
 * Spawns a machine process and returns its pid at once (as `node.spawn` does); the initial
 * transition runs in the new process, and if it fails the process crashes. With `link: true`
 * it is linked to the calling process (must run inside one). Use `Statem.start`/`startLink`
 * to learn about a failing start from a promise instead.
 *
 * @example
 * const pid = spawnMachine(node, counter, { input: { start: 10 }, name: 'counter' });
 * node.send(pid, { type: 'inc' });
 * await Statem.getState(pid); // the snapshot: { value: 'counting', context: { count: 11 }, ... }
 */
export function spawnMachine<TLogic extends AnyActorLogic>(
  node: Node,
  logic: TLogic,
  opts?: MachineOptions<TLogic> & { link?: boolean },
): MachinePid<TLogic> {
  return spawnProcess(
    node,
    logic,
    opts as MachineOptions<any> | undefined,
    opts?.link === true,
    'spawnMachine',
  );
}

/** @internal The output a machine process reached, or why it has none (see `Statem.output`). */
export function outputOf(pid: Pid<any>): Promise<unknown> {
  const proc = processes.get(pid);
  if (proc === undefined) return Promise.reject(new OutputError('noproc', pid));
  if (proc.output !== undefined) return Promise.resolve(proc.output.value);
  const node = proc.node;
  if (!node.isAlive(pid)) return Promise.reject(new OutputError(proc.exitReason ?? 'noproc', pid));
  return new Promise((resolve, reject) => {
    node.onExit(pid, (reason) => {
      if (proc.output !== undefined) resolve(proc.output.value);
      else reject(new OutputError(reason, pid));
    });
  });
}
