// I/O, before planning: what each desired Secret's value (and each graphics password a Domain
// takes from one) is compared with the digest recorded when virtkeeper last set it — same, changed, never recorded, or unreadable here (a CI plan
// without the secret). The planner gets only these verdicts; every value read is zeroed at once.
import { kindKey } from '../../manifests/identity.js';
import type { DesiredState, IdentityKey, SecretManifest } from '../../manifests/types.js';
import { passwordDigestKey } from '../domain/passwords.js';
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
    if (only && !only.has(loaded.key)) continue;
    if (loaded.manifest.kind === 'Secret') out.set(loaded.key, await assessOne(loaded.manifest.spec, digests.get(loaded.key)));
    if (loaded.manifest.kind !== 'Domain') continue;
    // A graphics password is a Secret's value as set in this domain: its own digest, per domain.
    for (const g of loaded.manifest.spec.graphics ?? []) {
      if (!g.passwordFrom) continue;
      const secret = desired.byKey.get(kindKey('Secret', g.passwordFrom.secret))?.manifest as SecretManifest | undefined;
      const key = passwordDigestKey(loaded.key, g.passwordFrom.secret);
      if (secret && !out.has(key)) out.set(key, await assessOne(secret.spec, digests.get(key)));
    }
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
