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
 */
export function deviceIdentity(device: XmlElement): string | undefined {
  const target = child(device, 'target');
  switch (device.name) {
    case 'disk':
      return target?.attrs.dev === undefined ? undefined : `disk ${target.attrs.dev}`;
    case 'interface': {
      const mac = child(device, 'mac')?.attrs.address;
      return mac === undefined ? undefined : `interface ${mac.toLowerCase()}`;
    }
    case 'controller':
      return device.attrs.type === undefined || device.attrs.index === undefined ? undefined : `controller ${device.attrs.type} ${device.attrs.index}`;
    case 'graphics':
      return device.attrs.type === undefined ? undefined : `graphics ${device.attrs.type}`;
    case 'serial':
    case 'parallel':
    case 'console':
      return target?.attrs.port === undefined ? undefined : `${device.name} ${target.attrs.port}`;
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
