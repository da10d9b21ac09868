import { describe, expect, it } from 'vitest';
import { inSubnet, parseIp } from '../../../src/manifests/ip.js';

describe('ip', () => {
  it('parses IPv4 and IPv6 including compressed and embedded-IPv4 forms', () => {
    expect(parseIp('192.168.1.2')).toEqual({ family: 4, value: 0xc0a80102n });
    expect(parseIp('::1')).toEqual({ family: 6, value: 1n });
    expect(parseIp('fd00::1')?.value).toBe((0xfd00n << 112n) | 1n);
    expect(parseIp('::ffff:1.2.3.4')?.value).toBe(0xffff01020304n);
    expect(parseIp('1:2:3:4:5:6:7:8')?.value).toBe(0x00010002000300040005000600070008n);
    expect(parseIp('not-an-ip')).toBeUndefined();
  });

  it('checks subnet membership per family', () => {
    const net = parseIp('192.168.100.1')!;
    expect(inSubnet(parseIp('192.168.100.254')!, net, 24)).toBe(true);
    expect(inSubnet(parseIp('192.168.101.1')!, net, 24)).toBe(false);
    expect(inSubnet(parseIp('fd00::5')!, net, 24)).toBe(false);
    expect(inSubnet(parseIp('fd00::5')!, parseIp('fd00::1')!, 64)).toBe(true);
    expect(inSubnet(parseIp('10.0.0.1')!, net, 0)).toBe(true);
  });
});
