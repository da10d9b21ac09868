// I/O: reading volumes of every active pool (an inactive pool cannot list its volumes) and
// carrying out planned steps.
import type { LibvirtClient } from '../../libvirt/client.js';
import { volumeKey } from '../../manifests/identity.js';
import type { LiveResource, ResourceChange, Step } from '../types.js';
import { payloadNumber, payloadString, unknownStep } from '../common/payload.js';
import { volumeFromXml } from './from-xml.js';

export async function readVolumes(client: LibvirtClient): Promise<Array<LiveResource<'StorageVolume'>>> {
  const out: Array<LiveResource<'StorageVolume'>> = [];
  for (const pool of await client.listStoragePools({ active: true })) {
    for (const ref of await client.listStorageVolumes(pool)) {
      const xml = await client.getStorageVolumeXml(ref);
      out.push({
        key: volumeKey(pool.name, ref.name),
        kind: 'StorageVolume',
        name: ref.name,
        xml,
        spec: volumeFromXml(xml, { pool: pool.name }),
        active: true,
        persistent: true,
        markedOwned: false,
      });
    }
  }
  return out;
}

export class VolumeUploadUnsupportedError extends Error {
  override name = 'VolumeUploadUnsupportedError';
}

function uploadUnsupported(change: ResourceChange<'StorageVolume'>): VolumeUploadUnsupportedError {
  return new VolumeUploadUnsupportedError(
    `${change.key}: uploading volume content (spec.source) needs libvirt stream support, which virtkeeper's client does not have yet; ` +
      'create the volume with virsh vol-upload, or drop spec.source',
  );
}

async function volumeRef(client: LibvirtClient, step: Step) {
  const pool = await client.getStoragePool(payloadString(step, 'pool'));
  return client.getStorageVolume(pool, payloadString(step, 'name'));
}

async function createVolume(step: Step, change: ResourceChange<'StorageVolume'>, client: LibvirtClient): Promise<void> {
  // Fail before creating anything: an empty volume left behind would look "in sync" next time.
  if (change.steps.some((s) => s.op === 'upload')) throw uploadUnsupported(change);
  const pool = await client.getStoragePool(payloadString(step, 'pool'));
  const name = payloadString(step, 'name');
  // The pool may have been inactive when planned (volumes unknown): never overwrite what is there.
  if (await client.lookupStorageVolume(pool, name)) {
    throw new Error(`${change.key}: volume already exists (its pool was probably inactive when planned); plan again`);
  }
  const xml = payloadString(step, 'xml');
  if (step.op === 'createXml') {
    await client.createStorageVolume(pool, xml);
  } else {
    const fromPool = await client.getStoragePool(payloadString(step, 'fromPool'));
    const from = await client.getStorageVolume(fromPool, payloadString(step, 'fromName'));
    await client.cloneStorageVolume(pool, xml, from);
  }
}

export async function executeVolumeStep(step: Step, change: ResourceChange<'StorageVolume'>, client: LibvirtClient): Promise<void> {
  switch (step.op) {
    case 'createXml':
    case 'createXmlFrom':
      return createVolume(step, change, client);
    case 'upload':
      throw uploadUnsupported(change);
    case 'resize':
      return client.resizeStorageVolume(await volumeRef(client, step), BigInt(payloadNumber(step, 'capacity')));
    case 'delete':
      return client.deleteStorageVolume(await volumeRef(client, step));
    default:
      throw unknownStep('StorageVolume', step);
  }
}
