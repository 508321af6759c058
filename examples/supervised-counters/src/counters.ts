import {
  type ChildSpec,
  GenServer,
  type GenServerBehaviour,
  type Node,
  type Pid,
  Supervisor,
} from '@corral/actor';

/**
 * A counter GenServer. Adding a negative amount is a bug we did not handle: the callback
 * throws, the process crashes, and its supervisor starts a fresh one (with count 0).
 */
export type CounterTypes = {
  args: string;
  state: { name: string; count: number };
  call: 'get';
  reply: number;
  cast: ['add', number];
};

export const Counter: GenServerBehaviour<CounterTypes> = {
  name: 'counter',
  init: (name) => ['ok', { name, count: 0 }],
  handleCall: (_get, _from, s) => ['reply', s.count, s],
  handleCast: ([, amount], s) => {
    if (amount < 0) throw new RangeError(`${s.name}: cannot add ${amount}`);
    return ['noreply', { ...s, count: s.count + amount }];
  },
};

/** A counter as a supervisor's child, registered under its own name. */
export const counterSpec = (node: Node, name: string): ChildSpec => ({
  id: name,
  start: () => GenServer.startLink(node, Counter, name, { name }),
});

/**
 * The tree:
 *
 *     root (one_for_one, 3 restarts in 5 s)
 *     └── counters (supervisor, one_for_one, 1 restart in 5 s)
 *         ├── apples (Counter, registered as 'apples')
 *         └── pears  (Counter, registered as 'pears')
 *
 * A crash of one counter restarts only that counter. Two crashes within 5 s are more than
 * `counters` allows: it stops both counters, exits 'shutdown', and `root` restarts it.
 */
export function startTree(node: Node): Promise<Pid> {
  return Supervisor.start(
    node,
    [
      {
        id: 'counters',
        type: 'supervisor',
        start: () =>
          Supervisor.startLink(node, [counterSpec(node, 'apples'), counterSpec(node, 'pears')], {
            strategy: 'one_for_one',
            intensity: 1,
            period: 5,
            name: 'counters',
          }),
      },
    ],
    { strategy: 'one_for_one', intensity: 3, period: 5, name: 'root' },
  );
}

/** Adds to a counter by its registered name (the name follows the counter across restarts). */
export function add(node: Node, name: string, amount: number): void {
  GenServer.cast([name, node], ['add', amount]);
}

export function count(node: Node, name: string): Promise<number> {
  return GenServer.call<'get', number>([name, node], 'get');
}

/** Resolves once `name` is registered to a live process other than `old` (it was restarted). */
export async function restarted(node: Node, name: string, old: Pid | undefined): Promise<Pid> {
  for (let turns = 0; turns < 10_000; turns++) {
    const now = node.whereis(name);
    if (now !== undefined && now !== old) return now;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${name} was not restarted`);
}

/**
 * The story main.ts tells (and the test checks): count, crash one counter, see it come back
 * empty while the other keeps its count, then crash it twice and see the whole `counters`
 * subtree restarted by `root`.
 */
export async function story(node: Node, say: (msg: string, data?: object) => void): Promise<void> {
  add(node, 'apples', 3);
  add(node, 'pears', 5);
  say('counted', { apples: await count(node, 'apples'), pears: await count(node, 'pears') });

  let apples = node.whereis('apples');
  add(node, 'apples', -1);
  apples = await restarted(node, 'apples', apples);
  say('apples crashed and was restarted alone', {
    apples: await count(node, 'apples'),
    pears: await count(node, 'pears'),
  });

  const counters = node.whereis('counters');
  add(node, 'apples', -1);
  await restarted(node, 'counters', counters);
  await restarted(node, 'pears', undefined);
  say('apples crashed again: counters gave up, root restarted the whole subtree', {
    apples: await count(node, 'apples'),
    pears: await count(node, 'pears'),
  });
}
