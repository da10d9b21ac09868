// The Interface kind's contract (see src/resources/contract.ts). Pure.
import { sameIpNotation } from '../common/ip-notation.js';
import { interfaceSpecSchema, interfaceNameSchema, type InterfaceManifest } from './schema.js';
import { kindKey } from '../../manifests/keys.js';
import { documentName, field, list, text, type KindDefinition, type KindReference } from '../contract.js';
import { checkInterface } from './check.js';

export const INTERFACE_KIND = 'Interface';

export const interfaceDefinition: KindDefinition<InterfaceManifest> = {
  kind: INTERFACE_KIND,
  schema: { file: 'interface.schema.json', spec: interfaceSpecSchema, name: interfaceNameSchema },
  keyName: documentName,
  references: interfaceReferences,
  check: checkInterface,
  xmlRoot: 'interface',
  export: { filePrefix: 'interface', hostHardware: true, residual: { skip: new Set(['name']), sameAs: sameIpNotation } },
  needsInterfaceBackend: true,
};

/**
 * A bridge's or bond's members and a VLAN's parent, by interface name. libvirt's interface XML
 * names them inside the parent's definition (<bridge><interface name='eth0'/>, <vlan><interface
 * name='eth0'/>): the parent is brought up on top of them, so a member that is itself an
 * Interface manifest comes first and goes last. A member may as well be a plain host NIC no
 * manifest declares, which is never "missing".
 */
export function interfaceReferences(document: unknown): KindReference[] {
  const spec = field(document, 'spec');
  const refs: KindReference[] = list(spec, 'members').flatMap((m, i) =>
    typeof m === 'string' ? [{ path: ['spec', 'members', i], key: kindKey(INTERFACE_KIND, m), need: 'if-declared' as const }] : [],
  );
  const parent = text(field(spec, 'vlan'), 'parent');
  if (parent) refs.push({ path: ['spec', 'vlan', 'parent'], key: kindKey(INTERFACE_KIND, parent), need: 'if-declared' });
  return refs;
}
