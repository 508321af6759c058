/**
 * Process identifiers and references.
 *
 * A {@link Pid} is node-qualified and printed like Erlang's (`<node.42.0>`). Each live
 * process has exactly one Pid object (pids are interned per node), so `===`, `Map` and
 * `Set` work on them directly; {@link Pid.toString} / `JSON.stringify` give the printable
 * form and `node.pid(text)` turns it back into the interned object.
 *
 * `Pid<Msg>` is phantom-typed by the messages the process accepts, so sending a wrong
 * message is a compile error.
 *
 * @example
 * const pid: Pid<['ping', Pid<'pong'>]> = node.spawn(...);
 * node.send(pid, ['ping', self.pid]); // ok
 * node.send(pid, 'hello');            // compile error
 */
export class Pid<in M = any> {
  /** Phantom: the message type this process accepts (contravariant, never set at run time). */
  declare private readonly __accepts?: (m: M) => void;
  /** @internal The live process behind this pid; cleared when it exits. */
  _proc: unknown;
  /**
   * Erlang's third field; always 0 for pids a node makes (ids are never wrapped). Kept on the
   * prototype unless non-zero (a parsed pid), so the pid of every live process is a field smaller.
   */
  declare readonly serial: number;

  constructor(
    /** Name of the node that owns the process. */
    readonly node: string,
    /** Per-node process number, never reused while the node lives. */
    readonly id: number,
    serial = 0,
  ) {
    this._proc = undefined;
    if (serial !== 0) (this as { serial: number }).serial = serial;
  }

  toString(): string {
    return `<${this.node}.${this.id}.${this.serial}>`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** True when both name the same process (also for a pid parsed from text). */
  equals(other: Pid<any>): boolean {
    return (
      this === other || (this.id === other.id && this.node === other.node && this.serial === other.serial)
    );
  }

  /** Erlang's term order for pids: by node name, then number, then serial. */
  static compare(a: Pid<any>, b: Pid<any>): number {
    if (a.node !== b.node) return a.node < b.node ? -1 : 1;
    if (a.id !== b.id) return a.id - b.id;
    return a.serial - b.serial;
  }

  /** Parses `<node.N.S>` into its parts; throws a clear error on anything else. */
  static parse(text: string): { node: string; id: number; serial: number } {
    const m = /^<(.+)\.(\d+)\.(\d+)>$/.exec(text);
    if (m === null) throw new TypeError(`not a pid: ${JSON.stringify(text)} (expected "<node.N.S>")`);
    return { node: m[1]!, id: Number(m[2]), serial: Number(m[3]) };
  }
}

(Pid.prototype as { serial: number }).serial = 0;

/** A unique reference (Erlang's `make_ref()`): monitors and timers are named by one. */
export class Ref {
  constructor(
    readonly node: string,
    readonly id: number,
  ) {}

  toString(): string {
    return `#Ref<${this.node}.${this.id}>`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Anything that names a process: a pid or a registered name. */
export type Dest<M = any> = Pid<M> | string;

/** The message type a pid accepts. */
export type MessageOf<P> = P extends Pid<infer M> ? M : never;
