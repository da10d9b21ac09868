// I/O: reading secrets from libvirt and carrying out planned steps. The value is read from its
// source only inside setValue, handed to libvirt, digested for the state store and zeroed.
import type { LibvirtClient, SecretRef } from '../../libvirt/client.js';
import { VIR_ERR_NO_SECRET } from '../../libvirt/errors.js';
import { mapBounded, READ_CONCURRENCY, unlessGone } from '../common/bounded.js';
import { payloadString, StepPayloadError, type PayloadCarrier } from '../common/payload.js';
import { objectStepExecutor } from '../common/persistent-object.js';
import type { LiveResource } from '../types.js';
import { newSecretDigest } from './digest.js';
import { checkedValueSource, readSecretValue } from './value-source.js';
import { USAGE_TYPES, usageKey, type UsageType } from './usage.js';
import { USAGE_NUMBERS, usageTypeOfNumber } from './usage-numbers.js';
import { secretFromXml } from './xml.js';

/** Every secret of the host; a driver without secrets (libvirt's test driver) has none. */
export async function readSecrets(client: LibvirtClient): Promise<Array<LiveResource<'Secret'>>> {
  const refs = await client.listSecrets();
  const read = await mapBounded(refs, READ_CONCURRENCY, (ref) => unlessGone(readOne(client, ref), VIR_ERR_NO_SECRET));
  return read.filter((s): s is LiveResource<'Secret'> => s !== undefined);
}

async function readOne(client: LibvirtClient, ref: SecretRef): Promise<LiveResource<'Secret'> | undefined> {
  const type = usageTypeOfNumber(ref.usageType);
  if (!type) return undefined; // a secret without usage: nothing a manifest can name
  const xml = await client.getSecretXml(ref);
  return {
    key: usageKey({ type, id: ref.usageID }),
    kind: 'Secret',
    name: ref.usageID,
    xml,
    spec: secretFromXml(xml),
    active: true,
    persistent: true,
    markedOwned: false,
  };
}

function usageFrom(step: PayloadCarrier): { type: UsageType; id: string } {
  const type = payloadString(step, 'usageType');
  if (!(type in USAGE_TYPES)) throw new StepPayloadError(`step ${step.op}: unknown usageType ${type}`);
  return { type: type as UsageType, id: payloadString(step, 'usageId') };
}

/**
 * Secrets on the persistent-object template (common/persistent-object.ts): they have no name and
 * no lifecycle, so steps find them by usage, an undefine of one already gone is done, and setting
 * the value is the step only they have.
 */
export const executeSecretStep = objectStepExecutor<'Secret', SecretRef>({
  kind: 'Secret',
  calls: (client) => ({
    define: (xml) => client.defineSecret(xml),
    find: (step) => {
      const u = usageFrom(step);
      return client.lookupSecretByUsage(USAGE_NUMBERS[u.type], u.id);
    },
    undefine: (ref) => client.undefineSecret(ref),
  }),
  undefineGoneIsDone: true,
  extraSteps: {
    setValue: async (step, { client, change, object, records }) => {
      const ref = await object();
      if (!ref)
        throw new Error(
          `no secret for ${payloadString(step, 'usageType')} ${JSON.stringify(payloadString(step, 'usageId'))} to set the value of`,
        );
      const value = await readSecretValue(checkedValueSource(step.payload, `step ${step.op}: payload`));
      try {
        await client.setSecretValue(ref, value);
        records?.secretDigest?.(change.key, newSecretDigest(value));
      } finally {
        value.fill(0);
      }
    },
  },
});
