// Small helpers over async iterables (the SDK's paged lists are async iterables).

/** Every item of an async iterable, in order. */
export async function toArray<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
