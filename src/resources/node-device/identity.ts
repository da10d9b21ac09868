// How a NodeDevice manifest finds its host device. Manifest names are the user's ("nvme0");
// libvirt names devices after their address ("pci_0000_06_00_0"), so devices are matched by
// address (PCI) or by vendor/product or bus/device (USB), never by name.
import type { NodeDeviceSpec } from './schema.js';
import type { PciAddress, UsbAddress } from '../../manifests/types.js';
import type { LiveResource, PlanContext } from '../types.js';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** libvirt's node device name of a PCI function: pci_DDDD_BB_SS_F. */
export function pciDeviceName(a: PciAddress): string {
  return `pci_${hex(a.domain ?? 0, 4)}_${hex(a.bus, 2)}_${hex(a.slot, 2)}_${a.function}`;
}

/** lspci -D notation, for messages: 0000:06:00.0. */
export function pciText(a: PciAddress): string {
  return `${hex(a.domain ?? 0, 4)}:${hex(a.bus, 2)}:${hex(a.slot, 2)}.${a.function}`;
}

export function usbText(u: UsbAddress): string {
  if (u.vendor !== undefined) return `USB ${hex(u.vendor, 4)}:${hex(u.product ?? 0, 4)}`;
  return `USB bus ${u.bus} device ${u.device}`;
}

export function describeDevice(spec: NodeDeviceSpec): string {
  return spec.pci ? `PCI device ${pciText(spec.pci)}` : spec.usb ? usbText(spec.usb) : 'device without address';
}

function samePci(a: PciAddress, b: PciAddress): boolean {
  return (a.domain ?? 0) === (b.domain ?? 0) && a.bus === b.bus && a.slot === b.slot && a.function === b.function;
}

function sameUsb(want: UsbAddress, have: UsbAddress): boolean {
  if (want.vendor !== undefined) return want.vendor === have.vendor && want.product === have.product;
  return want.bus === have.bus && want.device === have.device;
}

export function matches(want: NodeDeviceSpec, have: NodeDeviceSpec): boolean {
  if (want.pci) return have.pci !== undefined && samePci(want.pci, have.pci);
  if (want.usb) return have.usb !== undefined && sameUsb(want.usb, have.usb);
  return false;
}

/** Live devices this manifest designates (more than one only for an ambiguous USB vendor:product). */
export function findDevices(spec: NodeDeviceSpec, ctx: PlanContext): Array<LiveResource<'NodeDevice'>> {
  const found: Array<LiveResource<'NodeDevice'>> = [];
  for (const live of ctx.live.values()) {
    if (live.kind !== 'NodeDevice') continue;
    const device = live as LiveResource<'NodeDevice'>;
    if (matches(spec, device.spec)) found.push(device);
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
