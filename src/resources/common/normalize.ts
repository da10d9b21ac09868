// Equivalent spellings of the same value, so a diff never reports "52:54:00:AB" vs "52:54:00:ab"
// or "fd00::0001" vs "fd00::1" as drift.
import { isIPv4, isIPv6 } from 'node:net';

export function normMac(mac: string): string {
  return mac.trim().toLowerCase();
}

/** IPv6 in RFC 5952 form (the WHATWG URL parser compresses and lower-cases it); IPv4 as written. */
export function normIp(ip: string): string {
  const t = ip.trim();
  if (isIPv6(t)) return new URL(`http://[${t}]/`).hostname.slice(1, -1);
  if (isIPv4(t)) return t;
  return t.toLowerCase();
}

export function isIpv6(ip: string): boolean {
  return isIPv6(ip.trim());
}

/** Prefix length of a dotted IPv4 netmask ("255.255.255.0" → 24); undefined if not contiguous. */
export function netmaskToPrefix(netmask: string): number | undefined {
  if (!isIPv4(netmask)) return undefined;
  const bits = netmask
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  if (!/^1*0*$/.test(bits)) return undefined;
  return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
}

/** libvirt writes yes/no and on/off; both mean a boolean. */
export function parseYesNo(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'yes' || value === 'on') return true;
  if (value === 'no' || value === 'off') return false;
  return undefined;
}

export function parseIntAttr(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = value.trim().startsWith('0x') ? Number.parseInt(value.trim(), 16) : Number.parseInt(value.trim(), 10);
  return Number.isFinite(n) ? n : undefined;
}
