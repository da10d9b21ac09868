// Creating 500 volumes in one pool should not look the pool up 500 times. Handles are kept per
// connection; one that has gone stale (the pool was undefined and defined again meanwhile, so
// its uuid changed) fails with VIR_ERR_NO_STORAGE_POOL, and the call is retried once with a
// fresh lookup.
import type { LibvirtClient, StoragePoolRef } from '../../libvirt/client.js';
import { hasErrorCode, VIR_ERR_NO_STORAGE_POOL } from '../../libvirt/errors.js';

const cache = new WeakMap<LibvirtClient, Map<string, Promise<StoragePoolRef>>>();

function lookup(client: LibvirtClient, name: string, fresh: boolean): Promise<StoragePoolRef> {
  let pools = cache.get(client);
  if (!pools) cache.set(client, (pools = new Map()));
  const known = fresh ? undefined : pools.get(name);
  if (known) return known;
  const pending = client.getStoragePool(name);
  pools.set(name, pending);
  // A failed lookup is not remembered: the next step asks again.
  pending.catch(() => pools.delete(name));
  return pending;
}

/** Runs `use` with the pool's handle; a stale cached handle is replaced once. */
export async function withPool<T>(client: LibvirtClient, name: string, use: (pool: StoragePoolRef) => Promise<T>): Promise<T> {
  try {
    return await use(await lookup(client, name, false));
  } catch (err) {
    if (!hasErrorCode(err, VIR_ERR_NO_STORAGE_POOL)) throw err;
    return use(await lookup(client, name, true));
  }
}
