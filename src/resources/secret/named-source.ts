// Where other kinds read a Secret manifest's value (a graphics password, a value in a cloud-init
// seed): the Secret's name with its value source. Plans carry these in step payloads, never the
// value; apply reads the value there, uses it and zeroes it (readNamedValues).
import { kindKey } from '../../manifests/keys.js';
import type { SecretManifest } from './schema.js';
import type { DesiredState } from '../../manifests/types.js';
import { StepPayloadError } from '../common/payload.js';
import { checkedValueSource, readSecretValue, type ValueSource } from './value-source.js';

export interface NamedValueSource extends ValueSource {
  /** The Secret manifest's name. */
  secret: string;
}

/** The value sources of the Secret manifests `names` (each once), from the desired state. */
export function namedValueSources(names: Iterable<string>, desired: DesiredState | undefined, usedBy: string): NamedValueSource[] {
  return [...new Set(names)].map((secret) => {
    const found = desired?.byKey.get(kindKey('Secret', secret))?.manifest as SecretManifest | undefined;
    // References are checked at validation; a missing one here is a caller's bug.
    if (!found) throw new Error(`${usedBy}: Secret ${secret} is not in the manifests`);
    return { secret, valueFrom: found.spec.valueFrom, encoding: found.spec.encoding ?? 'raw' };
  });
}

/** `list` (a step payload's field `field`) as value sources, checked: a malformed one is refused, not guessed at. */
export function checkedNamedValueSources(list: unknown, where: string): NamedValueSource[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new StepPayloadError(`${where} must be a list of {secret, valueFrom, encoding}`);
  return list.map((p: unknown, i): NamedValueSource => {
    const secret = (p as { secret?: unknown } | null)?.secret;
    if (typeof secret !== 'string') throw new StepPayloadError(`${where}[${i}].secret must be a Secret's name`);
    return { secret, ...checkedValueSource(p, `${where}[${i}]`) };
  });
}

/**
 * Reads every source's value, runs `use` with them (Secret name → value) and zeroes them after,
 * whatever `use` did.
 */
export async function withNamedValues<T>(
  sources: readonly NamedValueSource[],
  use: (values: ReadonlyMap<string, Buffer>) => Promise<T>,
): Promise<T> {
  const values = new Map<string, Buffer>();
  try {
    for (const source of sources)
      values.set(source.secret, await readSecretValue({ valueFrom: source.valueFrom, encoding: source.encoding }));
    return await use(values);
  } finally {
    for (const value of values.values()) value.fill(0);
  }
}
