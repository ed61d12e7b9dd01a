/**
 * `items.map(fn)` for an async `fn`, one item after the other: inside a
 * transaction the queries of one item must not interleave with the next
 * (an audit append reads the chain's head, then writes after it).
 */
export async function mapInOrder<T, R>(items: Iterable<T>, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let i = 0;
  for (const item of items) out.push(await fn(item, i++));
  return out;
}

/** `items.filter(fn)` for an async `fn`, one item after the other. */
export async function filterInOrder<T>(items: Iterable<T>, fn: (item: T) => Promise<boolean>): Promise<T[]> {
  const out: T[] = [];
  for (const item of items) if (await fn(item)) out.push(item);
  return out;
}
