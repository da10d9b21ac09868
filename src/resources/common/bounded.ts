import { hasErrorCode } from '../../libvirt/errors.js';

// Reading a host is thousands of small calls. One connection carries many calls at once and
// libvirtd works on several per client (max_client_requests, 5 by default), so keeping a few in
// flight hides the round trip without flooding the daemon or holding every reply in memory.

/** Calls in flight while reading one kind's objects. */
export const READ_CONCURRENCY = 16;

/**
 * `fn` over `items` with at most `limit` running at once; results in input order. An `undefined`
 * result (the object vanished between listing and reading) is left out. The first failure
 * rejects, after the calls already started have settled, so no reply arrives for nobody.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R | undefined>): Promise<R[]> {
  const results: Array<R | undefined> = new Array<R | undefined>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results.filter((r): r is R => r !== undefined);
}

/**
 * The read, or undefined when it failed with `goneCode` (VIR_ERR_NO_DOMAIN, ...): the object was
 * removed between listing and reading, so it is simply not there any more.
 */
export async function unlessGone<T>(read: Promise<T>, goneCode: number): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (hasErrorCode(err, goneCode)) return undefined;
    throw err;
  }
}
