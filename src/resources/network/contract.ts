// The Network kind's contract (see src/resources/contract.ts). Pure.
import { sameIpNotation } from '../common/ip-notation.js';
import { networkSpecSchema, type NetworkManifest } from './schema.js';
import { documentName, type KindDefinition } from '../contract.js';
import { checkNetwork } from './check.js';
import { checkNetworksAcross } from './check-across.js';

export const networkDefinition: KindDefinition<NetworkManifest> = {
  kind: 'Network',
  schema: { file: 'network.schema.json', spec: networkSpecSchema },
  keyName: documentName,
  references: () => [],
  check: checkNetwork,
  checkAcross: checkNetworksAcross,
  xmlRoot: 'network',
  events: { source: 'network', echoes: true },
  export: {
    filePrefix: 'network',
    residual: { skip: new Set(['name', 'uuid']), skipAttrs: new Set(['connections']), sameAs: sameIpNotation },
  },
};
