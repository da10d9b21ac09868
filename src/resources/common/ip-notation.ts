// The two spellings libvirt takes for one <ip> (netmask or prefix, family="ipv4" or none), as
// export compares them (ResidualRules.sameAs) for networks and host interfaces.
import type { XmlElement } from '../xml.js';
import { netmaskToPrefix } from './normalize.js';

/**
 * An <ip>'s attributes with a contiguous netmask written as its prefix and family="ipv4" (what an
 * <ip> without family means) left out: the renderers write the other spelling of the same address.
 */
export function sameIpNotation(element: XmlElement): Record<string, string> {
  if (element.name !== 'ip') return element.attrs;
  const attrs = { ...element.attrs };
  // Only a contiguous mask has a prefix; anything else stays as written.
  const prefix = attrs.netmask !== undefined && attrs.prefix === undefined ? netmaskToPrefix(attrs.netmask) : undefined;
  if (prefix !== undefined) {
    attrs.prefix = String(prefix);
    delete attrs.netmask;
  }
  if (attrs.family === 'ipv4') delete attrs.family;
  return attrs;
}
