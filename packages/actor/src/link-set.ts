import { Pid } from './pid.js';

/**
 * A process's links, stored for the common case: most processes are linked to one other (a
 * supervised worker to its supervisor, a connection to its listener), so a single link is the
 * pid itself and only a second link makes a Set. A Set holding one pid costs about 170 bytes; at
 * ten thousand connections that is 1.7 MB for nothing. Links are pids compared by identity (pids
 * are interned per node), as a `Set<Pid>` compares them.
 *
 * @example
 * let links: Links = undefined;
 * links = addLink(links, parent); // the pid itself
 * links = addLink(links, peer);   // Set { parent, peer }
 * links = removeLink(links, parent);
 */
export type Links = Pid<any> | Set<Pid<any>> | undefined;

/** `links` with `pid` added (idempotent, as `link/1` is). */
export function addLink(links: Links, pid: Pid<any>): Links {
  if (links === undefined) return pid;
  if (links instanceof Pid) return links === pid ? links : new Set([links, pid]);
  links.add(pid);
  return links;
}

/** `links` without `pid`. */
export function removeLink(links: Links, pid: Pid<any>): Links {
  if (links === pid) return undefined;
  if (links instanceof Set) links.delete(pid);
  return links;
}

/** The linked pids, in the order the links were made. */
export function linkList(links: Links): Pid<any>[] {
  if (links === undefined) return [];
  return links instanceof Pid ? [links] : [...links];
}
