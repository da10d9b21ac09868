// Reads what the host has right now, every kind in turn, into one map keyed like the manifests.
import type { LibvirtClient } from '../libvirt/client.js';
import type { IdentityKey, ManifestKind } from '../manifests/types.js';
import { KIND_ORDER, type KindRegistry } from '../resources/registry.js';
import type { LiveResource, ResourceKind } from '../resources/types.js';
import { hostIdentity, type HostIdentity } from './inventory.js';

export class LiveStateError extends Error {
  override name = 'LiveStateError';
}

/**
 * Every live object of the given kinds (default: all). Kinds are read at once, each with a few
 * calls in flight (resources/common/bounded.ts): one connection carries them all, and the plan
 * built from the result is only as current as its slowest kind anyway.
 */
export async function readLiveState(
  client: LibvirtClient,
  registry: KindRegistry,
  kinds: readonly ManifestKind[] = KIND_ORDER,
): Promise<Map<IdentityKey, LiveResource>> {
  const perKind = await Promise.all(
    kinds.map(async (kindName) => {
      const kind = registry[kindName] as ResourceKind<typeof kindName>;
      try {
        return (await kind.readLive(client)) as LiveResource[];
      } catch (err) {
        throw new LiveStateError(`reading live ${kindName} objects: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }),
  );
  const live = new Map<IdentityKey, LiveResource>();
  for (const objects of perKind) for (const object of objects) live.set(object.key, object);
  return live;
}

/** Which host this connection reaches, for keying its inventory. */
export async function readHostIdentity(client: LibvirtClient): Promise<HostIdentity> {
  const [hostname, uri] = await Promise.all([client.getHostname(), client.getUri()]);
  return hostIdentity(hostname, uri);
}
