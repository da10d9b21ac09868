// I/O, before planning: what each desired Secret's value is compared with the digest recorded
// when virtkeeper last set it — same, changed, never recorded, or unreadable here (a CI plan
// without the secret). The planner gets only these verdicts; every value read is zeroed at once.
import type { DesiredState, IdentityKey, SecretManifest } from '../../manifests/types.js';
import type { SecretValueState } from '../types.js';
import { sameSecretValue, type SecretDigest } from './digest.js';
import { readSecretValue, SecretValueError } from './value-source.js';

export async function assessSecretValues(
  desired: DesiredState,
  digests: ReadonlyMap<IdentityKey, SecretDigest>,
  only?: ReadonlySet<IdentityKey>,
): Promise<Map<IdentityKey, SecretValueState>> {
  const out = new Map<IdentityKey, SecretValueState>();
  for (const loaded of desired.manifests) {
    if (loaded.manifest.kind !== 'Secret' || (only && !only.has(loaded.key))) continue;
    out.set(loaded.key, await assessOne((loaded.manifest as SecretManifest).spec, digests.get(loaded.key)));
  }
  return out;
}

async function assessOne(spec: SecretManifest['spec'], recorded: SecretDigest | undefined): Promise<SecretValueState> {
  let value: Buffer;
  try {
    value = await readSecretValue(spec);
  } catch (err) {
    if (err instanceof SecretValueError) return { state: 'unreadable', reason: err.message };
    throw err;
  }
  try {
    if (!recorded) return { state: 'unrecorded' };
    return sameSecretValue(value, recorded) ? { state: 'same' } : { state: 'changed' };
  } finally {
    value.fill(0);
  }
}
