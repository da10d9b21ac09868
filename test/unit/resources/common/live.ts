// Builders for plan tests: a LiveResource as readLive would produce it from an XML document.
import { kindKey } from '../../../../src/manifests/keys.js';
import { volumeKey } from '../../../../src/resources/storage-volume/key.js';
import type { DesiredState, LoadedManifest, ManifestKind, ManifestOfKind } from '../../../../src/manifests/types.js';
import type { LiveResource, PlanContext, ResourceKind, RuntimeFacts } from '../../../../src/resources/types.js';

export function liveFromXml<K extends ManifestKind>(
  resource: ResourceKind<K>,
  name: string,
  xml: string,
  runtime: RuntimeFacts & { persistent?: boolean } = {},
): LiveResource<K> {
  const spec = resource.fromXml(xml, runtime);
  const key = resource.kind === 'StorageVolume' ? volumeKey(runtime.pool ?? '', name) : kindKey(resource.kind, name);
  return {
    key,
    kind: resource.kind,
    name,
    xml,
    spec,
    active: runtime.active ?? true,
    persistent: runtime.persistent ?? true,
    markedOwned: false,
  };
}

export function loaded<K extends ManifestKind>(manifest: ManifestOfKind<K>, key?: string): LoadedManifest<ManifestOfKind<K>> {
  const k =
    key ??
    (manifest.kind === 'StorageVolume'
      ? volumeKey((manifest.spec as { pool: string }).pool, manifest.metadata.name)
      : kindKey(manifest.kind, manifest.metadata.name));
  return { key: k, manifest, source: { file: 'test.yaml', line: 1, column: 1 } };
}

/** Live objects of any kinds (LiveResource<K> is invariant in K, hence the structural bound). */
export function contextOf(
  manifests: readonly LoadedManifest[],
  live: ReadonlyArray<{ key: string; kind: ManifestKind }> = [],
): PlanContext {
  const desired: DesiredState = {
    root: '.',
    manifests: [...manifests],
    byKey: new Map(manifests.map((m) => [m.key, m])),
  };
  return { desired, live: new Map(live.map((l) => [l.key, l as unknown as LiveResource])) };
}

export function manifest<K extends ManifestKind>(
  kind: K,
  name: string,
  spec: ManifestOfKind<K>['spec'],
  annotations?: Record<string, string>,
): ManifestOfKind<K> {
  return {
    apiVersion: 'virtkeeper.io/v1',
    kind,
    metadata: annotations ? { name, annotations } : { name },
    spec,
  } as ManifestOfKind<K>;
}
