// I/O: reading secrets from libvirt and carrying out planned steps. The value is read from its
// source only inside setValue, handed to libvirt, digested for the state store and zeroed.
import type { LibvirtClient, SecretRef } from '../../libvirt/client.js';
import { VIR_ERR_NO_SECRET } from '../../libvirt/errors.js';
import { mapBounded, READ_CONCURRENCY, unlessGone } from '../common/bounded.js';
import { payloadString, StepPayloadError, unknownStep } from '../common/payload.js';
import type { LiveResource, ResourceChange, Step, StepRecords } from '../types.js';
import { newSecretDigest } from './digest.js';
import { checkedValueSource, readSecretValue } from './value-source.js';
import { USAGE_TYPES, usageKey, usageTypeOfNumber, type UsageType } from './usage.js';
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
  return { key: usageKey({ type, id: ref.usageID }), kind: 'Secret', name: ref.usageID, xml, spec: secretFromXml(xml), active: true, persistent: true, markedOwned: false };
}

function usageFrom(step: Step): { type: UsageType; id: string } {
  const type = payloadString(step, 'usageType');
  if (!(type in USAGE_TYPES)) throw new StepPayloadError(`step ${step.op}: unknown usageType ${type}`);
  return { type: type as UsageType, id: payloadString(step, 'usageId') };
}

function lookup(client: LibvirtClient, step: Step): Promise<SecretRef | null> {
  const u = usageFrom(step);
  return client.lookupSecretByUsage(USAGE_TYPES[u.type].number, u.id);
}


export async function executeSecretStep(step: Step, change: ResourceChange<'Secret'>, client: LibvirtClient, _progress?: unknown, records?: StepRecords): Promise<void> {
  switch (step.op) {
    case 'define':
      await client.defineSecret(payloadString(step, 'xml'));
      return;
    case 'setValue': {
      const ref = await lookup(client, step);
      if (!ref) throw new Error(`no secret for ${payloadString(step, 'usageType')} ${JSON.stringify(payloadString(step, 'usageId'))} to set the value of`);
      const value = await readSecretValue(checkedValueSource(step.payload, `step ${step.op}: payload`));
      try {
        await client.setSecretValue(ref, value);
        records?.secretDigest?.(change.key, newSecretDigest(value));
      } finally {
        value.fill(0);
      }
      return;
    }
    case 'undefine': {
      const ref = await lookup(client, step);
      if (ref) await client.undefineSecret(ref);
      return;
    }
    default:
      throw unknownStep('Secret', step);
  }
}
