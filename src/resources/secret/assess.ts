// I/O, before planning: what each desired Secret's value (and each graphics password or cloud-init
// seed value taken from one) is compared with the digest recorded when virtkeeper last set it —
// same, changed, never recorded, or unreadable here (a CI plan without the secret). The planner
// gets only these verdicts; every value read is zeroed at once.
import { kindKey } from '../../manifests/keys.js';
import type { SecretManifest } from './schema.js';
import type { DesiredState, IdentityKey } from '../../manifests/types.js';
import { seedSecretDigestKey } from '../../cloud-init/seed-secrets.js';
import { mergeSecretsDigestKey, passwordDigestKey, secureAttributeText } from '../domain/passwords.js';
import { parseXmlFragment } from '../xml.js';
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
    const m = loaded.manifest;
    if (m.kind === 'Secret') out.set(loaded.key, await assessOne(m.spec, digests.get(loaded.key)));
    // A Secret's value used by another object has its own digest there: a graphics password per
    // domain, a value in a cloud-init seed per seed volume.
    const uses =
      m.kind === 'Domain'
        ? (m.spec.graphics ?? []).flatMap((g) =>
            g.passwordFrom ? [{ secret: g.passwordFrom.secret, key: passwordDigestKey(loaded.key, g.passwordFrom.secret) }] : [],
          )
        : m.kind === 'StorageVolume'
          ? (m.spec.source?.seed?.secretRefs ?? []).map((r) => ({ secret: r.secret, key: seedSecretDigestKey(loaded.key, r.secret) }))
          : [];
    for (const use of uses) {
      const secret = desired.byKey.get(kindKey('Secret', use.secret))?.manifest as SecretManifest | undefined;
      if (secret && !out.has(use.key)) out.set(use.key, await assessOne(secret.spec, digests.get(use.key)));
    }
    // A password written in xml.merge itself: the manifest holds it, libvirt hides it.
    const merge = m.kind === 'Domain' ? m.spec.xml?.merge : undefined;
    const inMerge = merge ? secureAttributesOfMerge(merge) : undefined;
    if (inMerge) {
      const key = mergeSecretsDigestKey(loaded.key);
      out.set(key, compareWithRecorded(inMerge, digests.get(key)));
    }
  }
  return out;
}

function secureAttributesOfMerge(merge: string): Buffer | undefined {
  try {
    return secureAttributeText(parseXmlFragment(merge));
  } catch {
    return undefined; // malformed XML is validation's to report
  }
}

async function assessOne(spec: SecretManifest['spec'], recorded: SecretDigest | undefined): Promise<SecretValueState> {
  let value: Buffer;
  try {
    value = await readSecretValue(spec);
  } catch (err) {
    if (err instanceof SecretValueError) return { state: 'unreadable', reason: err.message };
    throw err;
  }
  return compareWithRecorded(value, recorded);
}

/** Compares `value` with its recorded digest, then zeroes it. */
function compareWithRecorded(value: Buffer, recorded: SecretDigest | undefined): SecretValueState {
  try {
    if (!recorded) return { state: 'unrecorded' };
    return sameSecretValue(value, recorded) ? { state: 'same' } : { state: 'changed' };
  } finally {
    value.fill(0);
  }
}
