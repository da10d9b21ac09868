// I/O: reading storage pools and carrying out planned steps.
import type { LibvirtClient } from '../../libvirt/client.js';
import { kindKey } from '../../manifests/identity.js';
import type { LiveResource, ResourceChange, Step } from '../types.js';
import { inactiveXmlOrLive } from '../common/live-xml.js';
import { payloadBoolean, payloadString, unknownStep } from '../common/payload.js';
import { poolFromXml } from './from-xml.js';

export async function readPools(client: LibvirtClient): Promise<Array<LiveResource<'StoragePool'>>> {
  const out: Array<LiveResource<'StoragePool'>> = [];
  for (const ref of await client.listStoragePools()) {
    const [xml, active, persistent, autostart] = await Promise.all([
      inactiveXmlOrLive((inactive) => client.getStoragePoolXml(ref, { inactive })),
      client.isStoragePoolActive(ref),
      client.isStoragePoolPersistent(ref),
      client.getStoragePoolAutostart(ref),
    ]);
    out.push({
      key: kindKey('StoragePool', ref.name),
      kind: 'StoragePool',
      name: ref.name,
      xml,
      spec: poolFromXml(xml, { active, autostart }),
      active,
      persistent,
      markedOwned: false,
    });
  }
  return out;
}

export async function executePoolStep(step: Step, _change: ResourceChange<'StoragePool'>, client: LibvirtClient): Promise<void> {
  if (step.op === 'define') {
    await client.defineStoragePool(payloadString(step, 'xml'));
    return;
  }
  const ref = await client.getStoragePool(payloadString(step, 'name'));
  switch (step.op) {
    case 'build':
      return client.buildStoragePool(ref, payloadBoolean(step, 'noOverwrite') ? { noOverwrite: true } : {});
    case 'start':
      return client.startStoragePool(ref);
    case 'destroy':
      return client.destroyStoragePool(ref);
    case 'undefine':
      return client.undefineStoragePool(ref);
    case 'setAutostart':
      return client.setStoragePoolAutostart(ref, payloadBoolean(step, 'autostart'));
    default:
      throw unknownStep('StoragePool', step);
  }
}
