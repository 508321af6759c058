/**
 * Entry point of the child process that measures one case:
 * `node --expose-gc --import tsx src/child.ts <registry index> <case key> <case name> <options>`.
 * It imports only its own suite, measures, and sends the result to the parent over IPC.
 */
import { type MeasureOptions, measureCase } from './harness.js';
import { registry } from './registry.js';
import { caseName } from './suite.js';

async function main(): Promise<void> {
  const [index, key, expected, json] = process.argv.slice(2);
  const load = registry[Number(index)];
  if (load === undefined || key === undefined || json === undefined)
    throw new Error(
      `usage: child.ts <index> <case> <name> <options>; got ${process.argv.slice(2).join(' ')}`,
    );
  const suite = (await load()).default;
  const c = suite.cases[key];
  const name = caseName(suite, key);
  if (c === undefined || name !== expected)
    throw new Error(`registry entry ${index} has no case ${expected}`);
  const opts = JSON.parse(json) as MeasureOptions;
  const result = await measureCase({ name, workload: suite.workload, system: suite.system, key }, c, opts);
  reply({ ok: true, result }, 0);
}

/** Sends the answer, then exits at once: a workload may leave processes or actors behind that keep the loop alive. */
function reply(message: unknown, code: number): void {
  if (process.send === undefined) {
    console.log(JSON.stringify(message, null, 2));
    process.exit(code);
  }
  process.send(message, undefined, undefined, () => process.exit(code));
}

main().catch((e: unknown) =>
  reply({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }, 1),
);
