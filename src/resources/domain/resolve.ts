// The effective desired spec: manifest defaults made explicit and references to other manifests
// resolved. toXml and diff both work from it, so what is compared is exactly what is written.
import { kindKey } from '../../manifests/keys.js';
import { volumeKey } from '../storage-volume/key.js';
import { driverFormatOf } from '../storage-volume/formats.js';
import type { DiskFormat, StorageVolumeManifest } from '../storage-volume/schema.js';
import type { DomainDisk, DomainHostdev, DomainSpec } from './schema.js';
import type { NodeDeviceManifest } from '../node-device/schema.js';
import type { DesiredState } from '../../manifests/types.js';
import { authUsageType } from '../secret/usage.js';
import { secretUsageRef } from '../secret/usage.js';

export class DomainReferenceError extends Error {
  override name = 'DomainReferenceError';
}

/** Driver format of a disk: its own, else the referenced volume's, else raw. */
export function diskFormat(disk: DomainDisk, desired: DesiredState | undefined): DiskFormat {
  if (disk.format) return disk.format;
  if (disk.volume && desired) {
    const vol = desired.byKey.get(volumeKey(disk.volume.pool, disk.volume.name))?.manifest as StorageVolumeManifest | undefined;
    return driverFormatOf(vol?.spec.format ?? 'raw') ?? 'raw';
  }
  return 'raw';
}

/** Replaces a nodeDevice reference by the device's address; inline addresses pass through. */
export function resolveHostdev(h: DomainHostdev, desired: DesiredState | undefined, index: number): DomainHostdev {
  const managed = h.managed ?? true;
  if (!h.nodeDevice) return { ...h, managed };
  const found = desired?.byKey.get(kindKey('NodeDevice', h.nodeDevice))?.manifest as NodeDeviceManifest | undefined;
  if (!found) {
    throw new DomainReferenceError(`spec.hostdevs[${index}].nodeDevice: NodeDevice ${h.nodeDevice} is not in the manifests`);
  }
  const out: DomainHostdev = { managed };
  if (found.spec.pci) out.pci = found.spec.pci;
  else if (found.spec.usb) out.usb = found.spec.usb;
  else throw new DomainReferenceError(`spec.hostdevs[${index}].nodeDevice: NodeDevice ${h.nodeDevice} has neither pci nor usb`);
  return out;
}

/**
 * A disk's secrets as libvirt's XML refers to them: by usage, which is what the live XML says too
 * (so `secret` holds "usage:<id>" from here on, not the manifest's name). A volume disk without
 * its own encryption takes its volume manifest's: QEMU needs the passphrase to open the volume.
 */
function resolveDiskSecrets(d: DomainDisk, desired: DesiredState | undefined): Pick<DomainDisk, 'encryption' | 'network'> {
  const volume = d.volume
    ? (desired?.byKey.get(volumeKey(d.volume.pool, d.volume.name))?.manifest as StorageVolumeManifest | undefined)
    : undefined;
  const luks = d.encryption?.secret ?? volume?.spec.encryption?.secret;
  const out: Pick<DomainDisk, 'encryption' | 'network'> = {};
  if (luks !== undefined) out.encryption = { secret: secretUsageRef(desired, luks, 'volume') };
  const auth = d.network?.auth;
  if (d.network && auth) {
    const type = authUsageType(d.network.protocol);
    out.network = { ...d.network, auth: { ...auth, secret: type ? secretUsageRef(desired, auth.secret, type) : auth.secret } };
  }
  return out;
}

export function resolveSpec(spec: DomainSpec, desired: DesiredState | undefined): DomainSpec {
  const out: DomainSpec = { ...spec, state: spec.state ?? 'running' };
  if (spec.disks) {
    // libvirt makes every cdrom read-only whatever the XML says; saying so avoids a phantom diff.
    out.disks = spec.disks.map((d) => ({
      ...d,
      device: d.device ?? 'disk',
      format: diskFormat(d, desired),
      ...(d.device === 'cdrom' ? { readonly: true } : {}),
      ...resolveDiskSecrets(d, desired),
    }));
  }
  if (spec.hostdevs) out.hostdevs = spec.hostdevs.map((h, i) => resolveHostdev(h, desired, i));
  if (spec.consoles) out.consoles = spec.consoles.map((c) => ({ ...c, type: c.type ?? 'pty' }));
  if (spec.serials) out.serials = spec.serials.map((c) => ({ ...c, type: c.type ?? 'pty' }));
  return out;
}
