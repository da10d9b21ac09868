// The Secret resource kind: libvirt secrets (virsh secret-*), their values set from a file, an
// environment variable or a command, never from a manifest.
import type { ResourceKind } from '../types.js';
import { secretDefinition } from './contract.js';
import { executeSecretStep, readSecrets } from './live.js';
import { planSecret } from './plan.js';
import { secretFromXml, secretToXml } from './xml.js';

export const secretKind: ResourceKind<'Secret'> = {
  kind: 'Secret',
  definition: secretDefinition,
  toXml: (manifest, live) => secretToXml(manifest.spec, live?.spec.uuid),
  fromXml: secretFromXml,
  plan: planSecret,
  readLive: readSecrets,
  execute: executeSecretStep,
};
