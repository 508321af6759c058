/** The messages of the permessage-deflate benchmarks: JSON-like text, as chat or feed servers send. */

/** `count` distinct JSON-like messages of exactly `size` bytes: records of a chat or a feed. */
export function jsonMessages(size: number, count: number): string[] {
  const out: string[] = [];
  for (let m = 0; m < count; m++) {
    let s = '[';
    for (let i = 0; s.length < size; i++) {
      const n = m * 7919 + i * 104_729;
      s += `${JSON.stringify({
        id: n % 1_000_003,
        user: `user${n % 997}`,
        at: 1_700_000_000_000 + n * 37,
        text: `message ${n % 9973} about ${['prices', 'weather', 'the match', 'a release'][n % 4]}`,
        tags: ['t' + (n % 13), 't' + (n % 17)],
        read: n % 3 === 0,
      })},`;
    }
    out.push(`${s.slice(0, size - 1)}]`);
  }
  return out;
}
