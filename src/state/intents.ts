// What an intent left behind by an interrupted run means once the host has been read again.
// Pure: the host state applies the outcome.
import type { IdentityKey, ManifestKind } from '../manifests/types.js';
import type { ActionType } from '../resources/types.js';

/** What a change is about to do, written before its first mutating libvirt call. */
export interface OwnershipIntent {
  kind: ManifestKind;
  name: string;
  action: ActionType;
  /** What the record says if the change succeeds: created (ours from the start) or adopted. */
  origin: 'created' | 'adopted';
  pruneDisabled: boolean;
  liveKey?: IdentityKey;
}

export interface IntentRow extends OwnershipIntent {
  id: number;
  key: IdentityKey;
  owner: string;
  pid: number;
  createdAt: string;
}

/**
 * record: the object exists, so whatever the interrupted change got done, it is ours now.
 * forget: a delete whose object is gone: the record has nothing left to guard.
 * drop: nothing happened that the record needs to know about.
 */
export type IntentOutcome = 'record' | 'forget' | 'drop';

export function resolveIntent(
  intent: Pick<IntentRow, 'key' | 'action' | 'liveKey'>,
  existsOnHost: (key: IdentityKey) => boolean,
): IntentOutcome {
  const exists = existsOnHost(intent.liveKey ?? intent.key);
  if (intent.action === 'delete') return exists ? 'drop' : 'forget';
  return exists ? 'record' : 'drop';
}
