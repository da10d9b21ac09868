// `--target KIND/NAME` for plan and apply: the named objects and, transitively, what their
// manifests refer to (a domain's volumes, their pool, its networks), so a targeted apply never
// creates a domain before its disk. Pure: the caller passes the desired state and the kinds.
//
// Only objects with a manifest can be targeted. A deletion waits for whatever on the host still
// uses the object, which only a whole-host plan knows, so deletions stay with `apply --prune`.
import type { DesiredState, IdentityKey } from '../manifests/types.js';
import { closest } from '../manifests/suggest.js';
import { kindOf, type KindRegistry } from '../resources/registry.js';
import { dependencyKeys } from '../resources/contract.js';

export type TargetSelection = { ok: true; keys: Set<IdentityKey> } | { ok: false; error: string };

export function selectTargets(targets: readonly string[], desired: DesiredState, registry: KindRegistry): TargetSelection {
  const keys = new Set<IdentityKey>();
  const todo: IdentityKey[] = [];
  for (const target of targets) {
    if (!desired.byKey.has(target)) {
      const hint = closest(target, [...desired.byKey.keys()]);
      const fix = hint ? `did you mean ${hint}?` : 'keys look like Domain/web-1 or StorageVolume/images/disk.qcow2';
      return {
        ok: false,
        error: `--target ${target}: no manifest has that key (${fix}); deletions are for apply --prune without --target`,
      };
    }
    todo.push(target);
  }
  while (todo.length > 0) {
    const key = todo.pop()!;
    if (keys.has(key)) continue;
    keys.add(key);
    const manifest = desired.byKey.get(key)!.manifest;
    for (const dep of dependencyKeys(kindOf(registry, manifest.kind).definition, manifest, desired))
      if (desired.byKey.has(dep)) todo.push(dep);
  }
  return { ok: true, keys };
}
