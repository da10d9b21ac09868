import { describe, expect, it } from 'vitest';
import * as d from '../../../../src/libvirt/procedures/domain.js';
import { argsOf, cat, hex, i32, retOf, str, u32, u64 } from './helpers.js';

const UUID = '11111111-2222-3333-4444-555555555555';
const dom = { name: 'vm', uuid: UUID, id: -1 };
const domBytes = cat(str('vm'), hex(UUID), i32(-1));

describe('domain args encodings', () => {
  it('DOMAIN_GET_XML_DESC: handle then flags (SECURE|INACTIVE = 3)', () => {
    const flags = d.VIR_DOMAIN_XML_SECURE | d.VIR_DOMAIN_XML_INACTIVE;
    expect(argsOf(d.DOMAIN_GET_XML_DESC, { dom, flags })).toEqual(cat(domBytes, u32(3)));
  });

  it('DOMAIN_SET_METADATA: type, then three optional strings, then flags', () => {
    const bytes = argsOf(d.DOMAIN_SET_METADATA, {
      dom,
      type: d.VIR_DOMAIN_METADATA_ELEMENT,
      metadata: '<x/>',
      key: 'vk',
      uri: 'https://virtkeeper.io/xmlns/v1',
      flags: d.VIR_DOMAIN_AFFECT_CONFIG,
    });
    expect(bytes).toEqual(
      cat(domBytes, i32(2), u32(1), str('<x/>'), u32(1), str('vk'), u32(1), str('https://virtkeeper.io/xmlns/v1'), u32(2)),
    );
  });

  it('DOMAIN_SET_METADATA with null metadata removes it: a false discriminant, no bytes', () => {
    const bytes = argsOf(d.DOMAIN_SET_METADATA, { dom, type: 0, metadata: null, key: null, uri: null, flags: 0 });
    expect(bytes).toEqual(cat(domBytes, i32(0), u32(0), u32(0), u32(0), u32(0)));
  });

  it('DOMAIN_SET_AUTOSTART sends the boolean as an int', () => {
    expect(argsOf(d.DOMAIN_SET_AUTOSTART, { dom, autostart: true })).toEqual(cat(domBytes, i32(1)));
  });

  it('DOMAIN_DEFINE_XML_FLAGS: xml then flags', () => {
    expect(argsOf(d.DOMAIN_DEFINE_XML_FLAGS, { xml: '<domain/>', flags: d.VIR_DOMAIN_DEFINE_VALIDATE })).toEqual(
      cat(str('<domain/>'), u32(1)),
    );
  });

  it('DOMAIN_LOOKUP_BY_UUID sends 16 raw bytes', () => {
    expect(argsOf(d.DOMAIN_LOOKUP_BY_UUID, UUID)).toEqual(hex(UUID));
  });
});

describe('domain ret decodings', () => {
  it('DOMAIN_GET_STATE', () => {
    expect(retOf(d.DOMAIN_GET_STATE, cat(i32(3), i32(1)))).toEqual({ state: 3, reason: 1 });
    expect(d.domainStateName(3)).toBe('paused');
    expect(d.domainStateName(5)).toBe('shutoff');
    expect(d.domainStateName(42)).toBe('unknown');
  });

  it('DOMAIN_GET_INFO: unsigned char and unsigned short take four bytes each', () => {
    const body = cat(u32(1), u64(8388608n), u64(2097152n), u32(2), u64(123456789n));
    expect(retOf(d.DOMAIN_GET_INFO, body)).toEqual({
      state: 1,
      maxMem: 8388608n,
      memory: 2097152n,
      nrVirtCpu: 2,
      cpuTime: 123456789n,
    });
  });

  it('CONNECT_LIST_ALL_DOMAINS: array of handles then the count', () => {
    const other = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };
    const body = cat(u32(2), domBytes, str('test'), hex(other.uuid), i32(1), u32(2));
    expect(retOf(d.CONNECT_LIST_ALL_DOMAINS, body)).toEqual({ items: [dom, other], count: 2 });
  });

  it('DOMAIN_GET_XML_DESC returns the string itself', () => {
    expect(retOf(d.DOMAIN_GET_XML_DESC, str('<domain/>'))).toBe('<domain/>');
  });

  it('DOMAIN_GET_AUTOSTART decodes the int flag', () => {
    expect(retOf(d.DOMAIN_GET_AUTOSTART, i32(1))).toBe(true);
  });
});
