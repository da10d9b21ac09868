// Which domain device an element is, independently of its other content: two <disk> elements
// with the same target dev are the same disk, whatever else they say. The `xml.merge` overlay
// uses it so that a merged device replaces the generated device it names (instead of being
// appended next to it as a second one), and export uses it to pair live and generated devices.
import type { XmlElement } from './xml.js';

// Not xml.ts's child(): xml.ts imports this module, and a cycle is not worth one line.
function child(parent: XmlElement, name: string): XmlElement | undefined {
  return parent.children.find((c): c is XmlElement => c.type === 'element' && c.name === name);
}

/**
 * The device's identity, or undefined for devices that have none (inputs, videos, sounds: a
 * domain may have several alike, and nothing tells them apart but their position).
 * `position`, the device's index among the devices of its name in a whole document, stands in
 * for the target port libvirt gives a serial, parallel or console written without one (the
 * renderers write none for a console): port N is the Nth.
 */
export function deviceIdentity(device: XmlElement, position?: number): string | undefined {
  const target = child(device, 'target');
  switch (device.name) {
    case 'disk':
      return target?.attrs.dev === undefined ? undefined : `disk ${target.attrs.dev}`;
    case 'interface': {
      const mac = child(device, 'mac')?.attrs.address;
      return mac === undefined ? undefined : `interface ${mac.toLowerCase()}`;
    }
    case 'controller':
      return device.attrs.type === undefined || device.attrs.index === undefined
        ? undefined
        : `controller ${device.attrs.type} ${device.attrs.index}`;
    case 'graphics':
      return device.attrs.type === undefined ? undefined : `graphics ${device.attrs.type}`;
    case 'serial':
    case 'parallel':
    case 'console':
      if (target?.attrs.port !== undefined) return `${device.name} ${target.attrs.port}`;
      return position === undefined ? undefined : `${device.name} ${position}`;
    case 'channel':
      return target?.attrs.name === undefined ? undefined : `channel ${target.attrs.name}`;
    // At most one of each per domain.
    case 'emulator':
    case 'memballoon':
    case 'nvram':
    case 'iommu':
    case 'vsock':
      return device.name;
    default:
      return undefined;
  }
}

/** The identity of each of a document's devices, a port-less serial/console by its position. */
export function documentIdentities(devices: readonly XmlElement[]): Map<XmlElement, string | undefined> {
  const seen = new Map<string, number>();
  const out = new Map<XmlElement, string | undefined>();
  for (const d of devices) {
    const position = seen.get(d.name) ?? 0;
    seen.set(d.name, position + 1);
    out.set(d, deviceIdentity(d, position));
  }
  return out;
}
