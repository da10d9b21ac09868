// Node devices are never defined, only detached from and given back to their host driver, so
// there is no XML to generate for libvirt. toXml describes the device the manifest expects (its
// libvirt name and address, in libvirt's nodedev format) for plan output and golden tests;
// fromXml reads the address and the bound driver out of `virsh nodedev-dumpxml`.
import type { NodeDeviceManifest, NodeDeviceSpec } from './schema.js';
import type { RuntimeFacts } from '../types.js';
import { attr, child, children, find, parseXml, text, el, textEl, toXmlString, type XmlElement } from '../xml.js';
import { compact } from '../common/compare.js';
import { parseIntAttr } from '../common/normalize.js';
import { pciDeviceName } from './identity.js';

/** Host drivers that hold a device for passthrough, and the manifest driver they stand for. */
const STUB_DRIVERS: Record<string, NodeDeviceSpec['driver']> = {
  'vfio-pci': 'vfio',
  'xen-pciback': 'xen',
  'pci-stub': undefined,
};

const hexId = (n: number | undefined): string | undefined => (n === undefined ? undefined : `0x${n.toString(16).padStart(4, '0')}`);

export function nodeDeviceToXml(manifest: NodeDeviceManifest): string {
  const { pci, usb } = manifest.spec;
  let root: XmlElement;
  if (pci) {
    root = el(
      'device',
      {},
      textEl('name', pciDeviceName(pci)),
      el(
        'capability',
        { type: 'pci' },
        textEl('domain', pci.domain ?? 0),
        textEl('bus', pci.bus),
        textEl('slot', pci.slot),
        textEl('function', pci.function),
      ),
    );
  } else {
    root = el(
      'device',
      {},
      el(
        'capability',
        { type: 'usb_device' },
        textEl('bus', usb?.bus),
        textEl('device', usb?.device),
        usb?.product !== undefined ? el('product', { id: hexId(usb.product) }) : undefined,
        usb?.vendor !== undefined ? el('vendor', { id: hexId(usb.vendor) }) : undefined,
      ),
    );
  }
  return toXmlString(root);
}

const num = (node: XmlElement | undefined): number | undefined => parseIntAttr(text(node));

export function nodeDeviceFromXml(xml: string, runtime: RuntimeFacts): NodeDeviceSpec {
  const root = parseXml(xml);
  const caps = children(root, 'capability');
  const pciCap = caps.find((c) => attr(c, 'type') === 'pci');
  const usbCap = caps.find((c) => attr(c, 'type') === 'usb_device');
  const driverName = text(find(root, 'driver', 'name'));
  const stub = driverName !== undefined && driverName in STUB_DRIVERS;
  if (pciCap) {
    const detached = runtime.detached ?? stub;
    return compact({
      pci: {
        domain: num(child(pciCap, 'domain')) ?? 0,
        bus: num(child(pciCap, 'bus')) ?? 0,
        slot: num(child(pciCap, 'slot')) ?? 0,
        function: num(child(pciCap, 'function')) ?? 0,
      },
      detached,
      driver: detached && driverName ? STUB_DRIVERS[driverName] : undefined,
    });
  }
  return compact({
    usb: compact({
      bus: num(child(usbCap, 'bus')),
      device: num(child(usbCap, 'device')),
      vendor: parseIntAttr(attr(child(usbCap, 'vendor'), 'id')),
      product: parseIntAttr(attr(child(usbCap, 'product'), 'id')),
    }),
    detached: runtime.detached,
  });
}
