// Integration-test driver for resource kinds without the planner: read everything live, plan one
// manifest with its kind, execute the steps in order. Keeps the kinds testable on their own.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LibvirtClient } from '../../../../src/libvirt/client.js';
import type { IdentityKey, LoadedManifest, ManifestKind, ManifestOfKind } from '../../../../src/manifests/types.js';
import type { LiveResource, ResourceChange, ResourceKind } from '../../../../src/resources/types.js';
import { contextOf, loaded } from './live.js';

const run = promisify(execFile);

export type AnyKind = ResourceKind<ManifestKind>;

export class KindHarness {
  constructor(
    private readonly client: LibvirtClient,
    private readonly kinds: readonly AnyKind[],
  ) {}

  async live(): Promise<Map<IdentityKey, LiveResource>> {
    const all = new Map<IdentityKey, LiveResource>();
    for (const kind of this.kinds) for (const l of await kind.readLive(this.client)) all.set(l.key, l);
    return all;
  }

  /** Plans `target` (a manifest, or a key to delete) against live state, with `manifests` as the desired set. */
  async plan<K extends ManifestKind>(
    resource: ResourceKind<K>,
    target: ManifestOfKind<K> | IdentityKey,
    manifests: ReadonlyArray<ManifestOfKind<ManifestKind>> = [],
  ): Promise<ResourceChange<K>> {
    const desired = manifests.map((m) => loaded(m)) as LoadedManifest[];
    const live = await this.live();
    const ctx = contextOf(desired, [...live.values()]);
    if (typeof target === 'string') return resource.plan(undefined, live.get(target) as LiveResource<K> | undefined, ctx);
    const lm = loaded(target);
    return resource.plan(lm, live.get(lm.key) as LiveResource<K> | undefined, { ...ctx, desired: contextOf([...desired, lm]).desired });
  }

  async execute<K extends ManifestKind>(resource: ResourceKind<K>, change: ResourceChange<K>): Promise<void> {
    if (change.refused) throw new Error(`refused: ${change.refused}`);
    for (const step of change.steps) await resource.execute(step, change, this.client);
  }
}

/** Runs virsh as a separate client: an out-of-band change. */
export async function virsh(uri: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('virsh', ['-c', uri, ...args]);
  return stdout;
}
