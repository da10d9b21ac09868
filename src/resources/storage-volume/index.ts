// The StorageVolume resource kind: volumes inside storage pools (virsh vol-*).
import type { ResourceKind } from '../types.js';
import { storageVolumeDefinition } from './contract.js';
import { volumeFromXml } from './from-xml.js';
import { executeVolumeStep, readVolumes, readVolume } from './live.js';
import { planVolume } from './plan.js';
import { volumeToXml } from './to-xml.js';

export const storageVolumeKind: ResourceKind<'StorageVolume'> = {
  kind: 'StorageVolume',
  definition: storageVolumeDefinition,
  toXml: (manifest, _live, ctx) => volumeToXml(manifest, ctx),
  fromXml: volumeFromXml,
  plan: planVolume,
  readLive: readVolumes,
  readOne: readVolume,
  execute: executeVolumeStep,
};

export { volumeToXml, volumeFromXml, planVolume };
