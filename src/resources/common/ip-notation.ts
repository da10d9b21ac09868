// The two spellings libvirt takes for one <ip> (netmask or prefix, family="ipv4" or none), as
// export compares them (ResidualRules.sameAs) for networks and host interfaces.
import type { XmlElement } from '../xml.js';

/**
 * An <ip>'s attributes with a contiguous netmask written as its prefix and family="ipv4" (what an
 * <ip> without family means) left out: the renderers write the other spelling of the same address.
 */
export function sameIpNotation(element: XmlElement): Record<string, string> {
  if (element.name !== 'ip') return element.attrs;
  const attrs = { ...element.attrs };
  const mask = attrs.netmask;
  if (mask !== undefined && attrs.prefix === undefined) {
    const bits = mask
      .split('.')
      .map((o) => Number(o).toString(2).padStart(8, '0'))
      .join('');
    if (bits.length === 32 && /^1*0*$/.test(bits)) {
      attrs.prefix = String(bits.indexOf('0') === -1 ? 32 : bits.indexOf('0'));
      delete attrs.netmask;
    }
  }
  if (attrs.family === 'ipv4') delete attrs.family;
  return attrs;
}
