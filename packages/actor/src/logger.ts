import { pino } from 'pino';

type LogFn = {
  (obj: object, msg?: string): void;
  (msg: string): void;
};

/**
 * The structural subset of pino a node needs (as fastify types its logger): pass your own
 * pino instance, or anything shaped like it. Each process logs through a child with
 * `{ pid, name }` bindings.
 */
export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** A pino logger writing JSON to stderr: what a node uses when none is given, so crash reports are never lost. */
export function defaultLogger(nodeName: string): Logger {
  // `base` replaces pino's own { pid, hostname }: each process logs under a child bound to
  // { pid, name } (the Corral pid and registered name), which would otherwise repeat those keys.
  return pino({ base: { node: nodeName } }, pino.destination(2)) as unknown as Logger;
}

const noop = (): void => {};

/** A logger that drops everything (for benchmarks; tests usually capture records instead). */
export const silentLogger: Logger = {
  error: noop,
  warn: noop,
  info: noop,
  debug: noop,
  child: () => silentLogger,
};

/** A record captured by {@link captureLogger}. */
export interface CapturedRecord {
  level: 'error' | 'warn' | 'info' | 'debug';
  msg: string | undefined;
  [key: string]: unknown;
}

/**
 * A logger that keeps every record in memory with its bindings merged in: tests assert on
 * crash and supervisor reports through it.
 */
export function captureLogger(
  records: CapturedRecord[] = [],
  bindings: Record<string, unknown> = {},
): Logger & {
  records: CapturedRecord[];
} {
  const at =
    (level: CapturedRecord['level']) =>
    (objOrMsg: object | string, msg?: string): void => {
      if (typeof objOrMsg === 'string') records.push({ ...bindings, level, msg: objOrMsg });
      else records.push({ ...bindings, ...objOrMsg, level, msg });
    };
  return {
    records,
    error: at('error') as LogFn,
    warn: at('warn') as LogFn,
    info: at('info') as LogFn,
    debug: at('debug') as LogFn,
    child: (more) => captureLogger(records, { ...bindings, ...more }),
  };
}
