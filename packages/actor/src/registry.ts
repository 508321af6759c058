import { badArg, nameTaken, notAlive } from './errors.js';
import type { Pid } from './pid.js';

interface Named {
  pid: Pid<any>;
  name: string | undefined;
  status: number;
}

/**
 * The node's name registry (Erlang's `register/2`, `whereis/1`, `registered/0`). A name is
 * freed when its process exits; a process holds at most one name.
 */
export class Registry<P extends Named> {
  private readonly names = new Map<string, P>();

  register(name: string, proc: P | undefined, pidText: string): void {
    if (typeof name !== 'string' || name.length === 0)
      throw badArg(`a registered name must be a non-empty string, got ${String(name)}`);
    if (proc === undefined) throw notAlive(`cannot register ${JSON.stringify(name)}: ${pidText}`);
    const holder = this.names.get(name);
    if (holder !== undefined) throw nameTaken(name, holder.pid.toString());
    if (proc.name !== undefined)
      throw badArg(`${pidText} is already registered as ${JSON.stringify(proc.name)}; unregister it first`);
    this.names.set(name, proc);
    proc.name = name;
  }

  unregister(name: string): void {
    const proc = this.names.get(name);
    if (proc === undefined)
      throw badArg(`cannot unregister ${JSON.stringify(name)}: no process has that name`);
    this.names.delete(name);
    proc.name = undefined;
  }

  /** Frees the name of an exiting process. */
  release(proc: P): void {
    if (proc.name !== undefined && this.names.get(proc.name) === proc) this.names.delete(proc.name);
  }

  lookup(name: string): P | undefined {
    return this.names.get(name);
  }

  whereis(name: string): Pid<any> | undefined {
    return this.names.get(name)?.pid;
  }

  registered(): string[] {
    return [...this.names.keys()];
  }
}
