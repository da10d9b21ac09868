// The StoragePool resource kind: libvirt storage pools (virsh pool-*).
import type { ResourceKind } from '../types.js';
import { storagePoolDefinition } from './contract.js';
import { poolFromXml } from './from-xml.js';
import { executePoolStep, readPools, readPool } from './live.js';
import { planPool } from './plan.js';
import { poolToXml, resolvePoolSecrets } from './to-xml.js';

export const storagePoolKind: ResourceKind<'StoragePool'> = {
  kind: 'StoragePool',
  definition: storagePoolDefinition,
  toXml: (manifest, live, ctx) => poolToXml(resolvePoolSecrets(manifest, ctx?.desired), live?.xml),
  fromXml: poolFromXml,
  plan: planPool,
  readLive: readPools,
  readOne: readPool,
  execute: executePoolStep,
};

export { poolToXml, poolFromXml, planPool };
