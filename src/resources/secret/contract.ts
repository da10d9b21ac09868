// The Secret kind's contract (see src/resources/contract.ts). Pure.
import { secretSpecSchema, type SecretManifest } from './schema.js';
import { documentName, type KindDefinition, type KindReference } from '../contract.js';
import { duplicateUuids } from '../common/uuids.js';
import { SECRET_KIND } from './reference.js';

export const secretDefinition: KindDefinition<SecretManifest> = {
  kind: SECRET_KIND,
  schema: { file: 'secret.schema.json', spec: secretSpecSchema },
  keyName: documentName,
  references: () => [],
  checkAcross: ({ mine }) => ({ errors: duplicateUuids(mine), warnings: [] }),
  referenceProblem: secretUsageProblem,
  export: { filePrefix: 'secret', notExported: 'libvirt never gives a secret value back, so no manifest could say where it is' },
};

/**
 * libvirt finds the secret by a usage of one type (a LUKS passphrase by its volume usage, rbd's key
 * by its ceph usage): a Secret without that usage would be found by nothing.
 */
function secretUsageProblem(secret: SecretManifest, ref: KindReference): string | undefined {
  const expected = ref.secretUsage;
  if (!expected) return undefined;
  const usage = secret.spec.usage ?? {};
  if (usage[expected.type] !== undefined) return undefined;
  const has = Object.keys(usage).filter((k) => usage[k as keyof typeof usage] !== undefined);
  return `refers to Secret ${JSON.stringify(secret.metadata.name)}, whose usage is ${has.length ? has.join(', ') : 'not set'}; ${expected.for} needs a Secret with usage ${expected.type} (libvirt looks it up by that usage)`;
}
