// Assembling a ResourceChange. Every kind goes through here so actions, reasons and the
// restart-required flag are derived the same way.
import { kindKey } from '../../manifests/keys.js';
import type { IdentityKey, LoadedManifest, ManifestKind } from '../../manifests/types.js';
import type { ActionType, FieldChange, LiveResource, ResourceChange, StepOfKind } from '../types.js';

export interface ChangeIdentity<K extends ManifestKind> {
  key: IdentityKey;
  kind: K;
  name: string;
  dependsOn: IdentityKey[];
}

/**
 * The identity of a change for a kind keyed by its name: the manifest's key and name when there
 * is a manifest, else the live object's.
 */
export function changeIdentity<K extends ManifestKind>(
  kind: K,
  desired: LoadedManifest | undefined,
  live: LiveResource<K> | undefined,
  dependsOn: IdentityKey[] = [],
): ChangeIdentity<K> {
  const name = desired?.manifest.metadata.name ?? live?.name ?? '';
  return { key: desired?.key ?? live?.key ?? kindKey(kind, name), kind, name, dependsOn };
}

export interface ChangeParts<K extends ManifestKind> {
  action: ActionType;
  reason: string;
  changes?: FieldChange[];
  steps?: Array<StepOfKind<K>>;
  restartRequired?: boolean;
  refused?: string;
}

export function buildChange<K extends ManifestKind>(id: ChangeIdentity<K>, parts: ChangeParts<K>): ResourceChange<K> {
  const change: ResourceChange<K> = {
    key: id.key,
    kind: id.kind,
    name: id.name,
    action: parts.action,
    changes: parts.changes ?? [],
    restartRequired: parts.restartRequired ?? false,
    reason: parts.reason,
    steps: parts.steps ?? [],
    dependsOn: [...new Set(id.dependsOn)].sort(),
  };
  if (parts.refused !== undefined) change.refused = parts.refused;
  return change;
}

export function noOp<K extends ManifestKind>(id: ChangeIdentity<K>, reason = 'in sync'): ResourceChange<K> {
  return buildChange(id, { action: 'no-op', reason });
}

/** Field list for a create: every field the manifest sets, flattened one level ("spec.forward"). */
export function createChanges(spec: object): FieldChange[] {
  return Object.entries(spec)
    .filter(([k, v]) => v !== undefined && k !== 'xml')
    .map(([k, v]) => ({ path: `spec.${k}`, after: v, class: 'redefine' as const }));
}

/** "a, b and c" for reasons. */
export function listPaths(changes: readonly FieldChange[]): string {
  const paths = changes.map((c) => c.path);
  if (paths.length <= 1) return paths.join('');
  return `${paths.slice(0, -1).join(', ')} and ${paths[paths.length - 1]}`;
}

/**
 * An update's reason: the definition's changed paths (flagged when a restart is needed to apply
 * them), then each live difference given, joined with "; ".
 */
export function updateReason(config: readonly FieldChange[], restartRequired: boolean, ...liveParts: Array<string | undefined>): string {
  return [config.length ? `${listPaths(config)} changed${restartRequired ? ' (restart required)' : ''}` : undefined, ...liveParts]
    .filter(Boolean)
    .join('; ');
}
