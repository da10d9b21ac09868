// A PCI address as libvirt writes it in an <address> element (hostdevs, a scsi_host adapter's
// <parentaddr>): hex numbers of fixed width, as libvirt prints them back.
import type { PciAddress } from '../../manifests/types.js';
import { el, type XmlElement } from '../xml.js';

export function hex(n: number, width: number): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

export function pciAddressElement(pci: PciAddress): XmlElement {
  return el('address', { domain: hex(pci.domain ?? 0, 4), bus: hex(pci.bus, 2), slot: hex(pci.slot, 2), function: hex(pci.function, 1) });
}
