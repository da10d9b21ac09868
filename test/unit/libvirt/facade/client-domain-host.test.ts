// The façade's host and domain methods over the generated procedures, at the bytes: what each
// method sends (layouts of remote_protocol.x, our flags) and how it reads the reply.
import { describe, expect, it } from 'vitest';
import { LibvirtClient, parseVersion } from '../../../../src/libvirt/client.js';
import { cat, hex, i32, str, u32, u64 } from './helpers.js';
import { WireCaller } from './wire-caller.js';

const UUID = '11111111-2222-3333-4444-555555555555';
const dom = { name: 'vm', uuid: UUID, id: -1 };
const domBytes = cat(str('vm'), hex(UUID), i32(-1));

function client(reply?: (name: string) => Buffer): { c: LibvirtClient; wire: WireCaller } {
  const wire = new WireCaller(reply);
  return { c: new LibvirtClient(wire), wire };
}

/** `char model[32]`: every char is its own 4-byte XDR int. */
function model32(s: string): Buffer {
  const words: Buffer[] = [];
  for (let i = 0; i < 32; i++) words.push(i32(i < s.length ? s.charCodeAt(i) : 0));
  return cat(...words);
}

describe('domain methods on the wire', () => {
  it('getDomainXml: handle then flags (SECURE|INACTIVE = 3); the reply is the string', async () => {
    const { c, wire } = client(() => str('<domain/>'));
    expect(await c.getDomainXml(dom, { inactive: true, secure: true })).toBe('<domain/>');
    expect(wire.only).toMatchObject({ name: 'DOMAIN_GET_XML_DESC', number: 14, body: cat(domBytes, u32(3)) });
  });

  it('setDomainMetadata: type, then three optional strings, then flags', async () => {
    const { c, wire } = client();
    await c.setDomainMetadata(dom, { type: 'element', value: '<x/>', key: 'vk', uri: 'https://virtkeeper.io/xmlns/v1' }, { config: true });
    expect(wire.only.body).toEqual(
      cat(domBytes, i32(2), u32(1), str('<x/>'), u32(1), str('vk'), u32(1), str('https://virtkeeper.io/xmlns/v1'), u32(2)),
    );
  });

  it('setDomainMetadata with a null value removes it: false discriminants, no bytes; key and uri only for elements', async () => {
    const { c, wire } = client();
    await c.setDomainMetadata(dom, { type: 'description', value: null, key: 'ignored', uri: 'ignored' });
    expect(wire.only.body).toEqual(cat(domBytes, i32(0), u32(0), u32(0), u32(0), u32(0)));
  });

  it('setDomainAutostart sends the boolean as an int; getDomainAutostart takes any non-zero int as true', async () => {
    const { c, wire } = client((name) => (name === 'DOMAIN_GET_AUTOSTART' ? i32(2) : Buffer.alloc(0)));
    await c.setDomainAutostart(dom, true);
    expect(await c.getDomainAutostart(dom)).toBe(true);
    expect(wire.sent[0]!.body).toEqual(cat(domBytes, i32(1)));
  });

  it('defineDomain: xml then flags; returns the handle', async () => {
    const { c, wire } = client(() => domBytes);
    expect(await c.defineDomain('<domain/>', { validate: true })).toEqual(dom);
    expect(wire.only.body).toEqual(cat(str('<domain/>'), u32(1)));
  });

  it('lookupDomainByUuid sends 16 raw bytes', async () => {
    const { c, wire } = client(() => domBytes);
    expect(await c.lookupDomainByUuid(UUID)).toEqual(dom);
    expect(wire.only.body).toEqual(hex(UUID));
  });

  it('getDomainState names the state', async () => {
    const { c } = client(() => cat(i32(3), i32(1)));
    expect(await c.getDomainState(dom)).toEqual({ state: 'paused', reason: 1 });
    const { c: odd } = client(() => cat(i32(42), i32(0)));
    expect(await odd.domainState(dom)).toBe('unknown');
  });

  it('getDomainInfo: unsigned char and unsigned short take four bytes each; KiB become bytes', async () => {
    const { c } = client(() => cat(u32(1), u64(8388608n), u64(2097152n), u32(2), u64(123456789n)));
    expect(await c.getDomainInfo(dom)).toEqual({
      state: 'running',
      maxMemoryBytes: 8388608n * 1024n,
      memoryBytes: 2097152n * 1024n,
      vcpus: 2,
      cpuTimeNs: 123456789n,
    });
  });

  it('listDomains: need_results and flags out, array of handles then the count back', async () => {
    const other = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };
    const { c, wire } = client(() => cat(u32(2), domBytes, str('test'), hex(other.uuid), i32(1), u32(2)));
    expect(await c.listDomains({ active: true, state: 'running' })).toEqual([dom, other]);
    expect(wire.only.body).toEqual(cat(i32(1), u32(1 | 16)));
  });

  it('startDomain returns the handle with the new id', async () => {
    const { c, wire } = client(() => cat(str('vm'), hex(UUID), i32(7)));
    expect(await c.startDomain(dom, { paused: true })).toEqual({ ...dom, id: 7 });
    expect(wire.only.body).toEqual(cat(domBytes, u32(1)));
  });
});

describe('host methods on the wire', () => {
  it('getNodeInfo decodes the 32-int model and scales KiB to bytes', async () => {
    const body = cat(model32('x86_64'), u64(16_384_000n), i32(8), i32(2400), i32(1), i32(1), i32(4), i32(2));
    expect(body.length).toBe(128 + 8 + 6 * 4);
    const { c } = client(() => body);
    expect(await c.getNodeInfo()).toEqual({
      model: 'x86_64',
      memoryBytes: 16_384_000n * 1024n,
      cpus: 8,
      mhz: 2400,
      numaNodes: 1,
      sockets: 1,
      coresPerSocket: 4,
      threadsPerCore: 2,
    });
  });

  it('versions are unsigned hypers, taken apart by parseVersion', async () => {
    const { c, wire } = client(() => u64(9_000_000n));
    expect(await c.getLibVersion()).toEqual({ major: 9, minor: 0, release: 0, raw: 9_000_000, text: '9.0.0' });
    expect(wire.only).toMatchObject({ name: 'CONNECT_GET_LIB_VERSION', number: 157, body: Buffer.alloc(0) });
    expect(parseVersion(8_002_001).text).toBe('8.2.1');
  });

  it('string rets unwrap to the string', async () => {
    const { c } = client(() => str('host1'));
    expect(await c.getHostname()).toBe('host1');
    expect(await c.getCapabilities()).toBe('host1');
  });
});
