/**
 * A process's links held as nothing, one pid, or a Set: the same link semantics (Erlang
 * reference manual, "Links") whichever form they are in, across the changes from one to the other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Pid } from '../src/index.js';
import { addLink, type Links, linkList, removeLink } from '../src/link-set.js';
import { inside, puppet, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('link-set', () => {
  const a = new Pid('n', 1);
  const b = new Pid('n', 2);
  const c = new Pid('n', 3);

  it('holds one link as the pid itself and makes a Set at the second, keeping link order', () => {
    let links: Links = addLink(undefined, a);
    expect(links).toBe(a);
    expect(addLink(links, a)).toBe(a); // idempotent, as link/1 is
    links = addLink(links, b);
    expect(links).toBeInstanceOf(Set);
    links = addLink(addLink(links, c), b);
    expect(linkList(links)).toEqual([a, b, c]);
  });

  it('removes a link from either form, and removing an absent one changes nothing', () => {
    expect(removeLink(a, a)).toBeUndefined();
    expect(removeLink(a, b)).toBe(a);
    expect(removeLink(undefined, a)).toBeUndefined();
    const links = addLink(addLink(a, b), c);
    expect(linkList(removeLink(links, b))).toEqual([a, c]);
    expect(linkList(removeLink(links, b))).toEqual([a, c]);
    expect(linkList(undefined)).toEqual([]);
  });
});

describe('links through one, two and back to one', () => {
  it('a process linked to one, then two, then one again gets the exit signal of each link it still has', async () => {
    t = testNode();
    const p = puppet(t.node, { trapExit: true });
    const x = sleeper(t.node);
    const y = sleeper(t.node);
    const z = sleeper(t.node);
    await inside(t.node, p.pid, (self) => self.link(x));
    expect(t.node.processInfo(p.pid)?.links).toEqual([x]);
    await inside(t.node, p.pid, (self) => {
      self.link(y);
      self.link(z);
      self.unlink(x);
    });
    expect(t.node.processInfo(p.pid)?.links).toEqual([y, z]);
    expect(t.node.processInfo(x)?.links).toEqual([]);
    t.node.exit(x, 'x gone');
    t.node.exit(y, 'y gone');
    await inside(t.node, p.pid, () => {});
    expect(p.inbox).toEqual([['EXIT', y, 'y gone']]);
    expect(t.node.processInfo(p.pid)?.links).toEqual([z]);
    expect(t.node.processInfo(z)?.links).toEqual([p.pid]);
    // The last link: the linked process dies with the puppet.
    t.node.exit(p.pid, 'kill');
    expect(t.node.isAlive(z)).toBe(false);
  });

  it('a spawn_link child holds its parent as its one link, and the parent each child', async () => {
    t = testNode();
    const parent = puppet(t.node, { trapExit: true });
    const children: Pid[] = [];
    await inside(t.node, parent.pid, (self) => {
      for (let i = 0; i < 3; i++)
        children.push(
          self.spawnLink(async (me) => {
            await me.receive(() => false);
          }),
        );
    });
    expect(t.node.processInfo(parent.pid)?.links).toEqual(children);
    for (const c of children) expect(t.node.processInfo(c)?.links).toEqual([parent.pid]);
    t.node.exit(children[1]!, 'boom');
    await inside(t.node, parent.pid, () => {});
    expect(parent.inbox).toEqual([['EXIT', children[1], 'boom']]);
    t.node.exit(parent.pid, 'kill');
    expect(children.map((c) => t.node.isAlive(c))).toEqual([false, false, false]);
  });
});
