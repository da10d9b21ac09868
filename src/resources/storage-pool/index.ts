// The StoragePool resource kind: libvirt storage pools (virsh pool-*).
import type { ResourceKind } from '../types.js';
import { poolFromXml } from './from-xml.js';
import { executePoolStep, readPools, readPool } from './live.js';
import { planPool } from './plan.js';
import { poolToXml } from './to-xml.js';

export const storagePoolKind: ResourceKind<'StoragePool'> = {
  kind: 'StoragePool',
  dependencies: () => [],
  toXml: (manifest, live) => poolToXml(manifest, live?.xml),
  fromXml: poolFromXml,
  plan: planPool,
  readLive: readPools,
  readOne: readPool,
  execute: executePoolStep,
};

export { poolToXml, poolFromXml, planPool };
