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
 * Every live object of the given kinds (default: all). Kinds are read one after another: the
 * calls share one connection, and a plan is only as good as a consistent snapshot anyway.
 */
export async function readLiveState(
  client: LibvirtClient,
  registry: KindRegistry,
  kinds: readonly ManifestKind[] = KIND_ORDER,
): Promise<Map<IdentityKey, LiveResource>> {
  const live = new Map<IdentityKey, LiveResource>();
  for (const kindName of kinds) {
    const kind = registry[kindName] as ResourceKind<typeof kindName>;
    let objects: LiveResource[];
    try {
      objects = await kind.readLive(client);
    } catch (err) {
      throw new LiveStateError(`reading live ${kindName} objects: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    for (const object of objects) live.set(object.key, object);
  }
  return live;
}

/** Which host this connection reaches, for keying its inventory. */
export async function readHostIdentity(client: LibvirtClient): Promise<HostIdentity> {
  const [hostname, uri] = await Promise.all([client.getHostname(), client.getUri()]);
  return hostIdentity(hostname, uri);
}
