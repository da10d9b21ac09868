// Minimal address arithmetic for subnet checks (no I/O, no DNS).
import { isIPv4, isIPv6 } from 'node:net';

export interface ParsedIp {
  family: 4 | 6;
  value: bigint;
}

export function parseIp(text: string): ParsedIp | undefined {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { family: 4, value };
  }
  if (isIPv6(text)) {
    let t = text;
    // An embedded IPv4 tail (::ffff:1.2.3.4) is two 16-bit groups.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
    if (v4) {
      const n = parseIp(v4[1])!.value;
      t = `${t.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head, rest] = t.includes('::') ? t.split('::') : [t, undefined];
    const h = head
      ? head
          .split(':')
          .filter((x) => x !== '')
          .map((x) => BigInt('0x' + x))
      : [];
    const r = rest
      ? rest
          .split(':')
          .filter((x) => x !== '')
          .map((x) => BigInt('0x' + x))
      : [];
    const groups = rest === undefined ? h : [...h, ...Array<bigint>(8 - h.length - r.length).fill(0n), ...r];
    return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | g, 0n) };
  }
  return undefined;
}

export function inSubnet(ip: ParsedIp, net: ParsedIp, prefix: number): boolean {
  if (ip.family !== net.family) return false;
  const bits = net.family === 4 ? 32 : 128;
  const shift = BigInt(bits - prefix);
  return ip.value >> shift === net.value >> shift;
}

/** First and last address of a subnet, as numbers of its family. */
export interface AddressSpan {
  family: 4 | 6;
  first: bigint;
  last: bigint;
}

export function subnetSpan(net: ParsedIp, prefix: number): AddressSpan {
  const hostBits = BigInt((net.family === 4 ? 32 : 128) - prefix);
  const first = (net.value >> hostBits) << hostBits;
  return { family: net.family, first, last: first + (1n << hostBits) - 1n };
}

export function spansOverlap(a: AddressSpan, b: AddressSpan): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** A MAC whose first octet has its lowest bit set names a group (multicast, broadcast), never one NIC. */
export function isGroupMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}
