// LibvirtClient against a scripted caller: argument mapping, not-found convention, hooks.
import { describe, expect, it } from 'vitest';
import { LibvirtClient, type CallInfo } from '../../../../src/libvirt/client.js';
import { LibvirtError, VIR_ERR_NO_DOMAIN, VIR_ERR_OPERATION_DENIED } from '../../../../src/libvirt/errors.js';
import { FakeCaller, libvirtFailure } from './fake-caller.js';

const UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';
const vm = { name: 'vm', uuid: UUID, id: -1 };

/** `char model[32]` as the generated layer carries it: one number per C char, NUL-padded. */
function chars32(s: string): number[] {
  return Array.from({ length: 32 }, (_, i) => (i < s.length ? s.charCodeAt(i) : 0));
}

function libvirtError(code: number): LibvirtError {
  return new LibvirtError({ code, domain: 12, level: 2, message: `failure ${code}` });
}

describe('LibvirtClient', () => {
  it('lookup* resolves null on the kind-specific not-found code only', async () => {
    const caller = new FakeCaller((name, args) => {
      const lookedUp = (args as { name: string }).name;
      if (name === 'DOMAIN_LOOKUP_BY_NAME' && lookedUp === 'missing') throw libvirtError(VIR_ERR_NO_DOMAIN);
      if (name === 'DOMAIN_LOOKUP_BY_NAME' && lookedUp === 'denied') throw libvirtError(VIR_ERR_OPERATION_DENIED);
      return { dom: vm };
    });
    const client = new LibvirtClient(caller);
    expect(await client.lookupDomain('missing')).toBeNull();
    expect(await client.lookupDomain('vm')).toEqual(vm);
    await expect(client.lookupDomain('denied')).rejects.toMatchObject({ code: VIR_ERR_OPERATION_DENIED });
    await expect(client.getDomain('missing')).rejects.toBeInstanceOf(LibvirtError);
  });

  it('maps options to libvirt flags', async () => {
    const caller = new FakeCaller((name) =>
      name === 'DOMAIN_GET_XML_DESC' ? { xml: '<domain/>' } : name === 'DOMAIN_CREATE_WITH_FLAGS' ? { dom: vm } : undefined,
    );
    const client = new LibvirtClient(caller);
    await client.getDomainXml(vm, { inactive: true, secure: true });
    await client.undefineDomain(vm, { nvram: true, managedSave: true });
    await client.attachDevice(vm, '<disk/>', { live: true, config: true });
    await client.startDomain(vm, { paused: true });
    await client.setDomainMetadata(
      vm,
      { type: 'element', value: '<vk:owner/>', key: 'vk', uri: 'https://virtkeeper.io/xmlns/v1' },
      { config: true },
    );
    expect(caller.calls.map((c) => [c.name, (c.args as { flags: number }).flags])).toEqual([
      ['DOMAIN_GET_XML_DESC', 3],
      ['DOMAIN_UNDEFINE_FLAGS', 5],
      ['DOMAIN_ATTACH_DEVICE_FLAGS', 3],
      ['DOMAIN_CREATE_WITH_FLAGS', 1],
      ['DOMAIN_SET_METADATA', 2],
    ]);
    expect(caller.calls[4]!.args).toMatchObject({ type: 2, key: 'vk', uri: 'https://virtkeeper.io/xmlns/v1', metadata: '<vk:owner/>' });
  });

  it('list filters pick the bits of each kind (domains and networks number active/inactive differently)', async () => {
    const lists: Record<string, string> = {
      CONNECT_LIST_ALL_DOMAINS: 'domains',
      CONNECT_LIST_ALL_NETWORKS: 'nets',
      CONNECT_LIST_ALL_STORAGE_POOLS: 'pools',
      CONNECT_LIST_ALL_INTERFACES: 'ifaces',
    };
    const caller = new FakeCaller((name) => ({ [lists[name]!]: [], ret: 0 }));
    const client = new LibvirtClient(caller);
    await client.listDomains({ active: true });
    await client.listNetworks({ active: true, persistent: true });
    await client.listStoragePools({ active: false, autostart: true });
    await client.listInterfaces({ active: false });
    expect(caller.calls.map((c) => (c.args as { flags: number }).flags)).toEqual([1, 2 | 4, 1 | 16, 1]);
  });

  it('returns string unions and byte sizes', async () => {
    const caller = new FakeCaller((name) => {
      switch (name) {
        case 'DOMAIN_GET_STATE':
          return { state: 5, reason: 1 };
        case 'DOMAIN_GET_INFO':
          return { state: 3, maxMem: 1024n, memory: 512n, nrVirtCpu: 1, cpuTime: 0n };
        case 'NODE_GET_INFO':
          return { model: chars32('x86_64'), memory: 2n, cpus: 1, mhz: 1, nodes: 1, sockets: 1, cores: 1, threads: 1 };
        default:
          return undefined;
      }
    });
    const client = new LibvirtClient(caller);
    expect(await client.domainState(vm)).toBe('shutoff');
    expect(await client.getDomainInfo(vm)).toMatchObject({ state: 'paused', maxMemoryBytes: 1024n * 1024n, memoryBytes: 512n * 1024n });
    expect(await client.getNodeInfo()).toMatchObject({ model: 'x86_64', memoryBytes: 2048n });
  });

  it('falls back to NODE_LIST_DEVICES per capability when list-all is unsupported', async () => {
    const caller = new FakeCaller((name, args) => {
      if (name === 'CONNECT_LIST_ALL_NODE_DEVICES') throw libvirtFailure(3);
      if (name === 'NODE_NUM_OF_DEVICES') return { num: 2 };
      if (name === 'NODE_LIST_DEVICES')
        return { names: (args as { cap: string }).cap === 'pci' ? ['pci_1', 'shared'] : ['net_1', 'shared'] };
      return undefined;
    });
    const client = new LibvirtClient(caller);
    expect(await client.listNodeDevices({ capabilities: ['pci', 'net'] })).toEqual([
      { name: 'pci_1' },
      { name: 'shared' },
      { name: 'net_1' },
    ]);
  });

  it('reports every call to onCall, failures included, and never lets the hook break a call', async () => {
    const infos: CallInfo[] = [];
    const caller = new FakeCaller((name) => {
      if (name === 'DOMAIN_LOOKUP_BY_NAME') throw libvirtError(VIR_ERR_NO_DOMAIN);
      return { hostname: 'host' };
    });
    const client = new LibvirtClient(caller, {
      onCall: (info) => {
        infos.push(info);
        throw new Error('hook bug');
      },
    });
    expect(await client.getHostname()).toBe('host');
    expect(await client.lookupDomain('x')).toBeNull();
    expect(infos.map((i) => [i.procedure, i.number, i.error === undefined])).toEqual([
      ['CONNECT_GET_HOSTNAME', 59, true],
      ['DOMAIN_LOOKUP_BY_NAME', 23, false],
    ]);
  });

  it('asks again without INACTIVE when a driver rejects the flag (no separate persistent XML)', async () => {
    const caller = new FakeCaller((name, args) => {
      if ((args as { flags: number }).flags !== 0) throw libvirtError(8);
      return { xml: `<${name}/>` };
    });
    const client = new LibvirtClient(caller);
    const netRef = { name: 'lan', uuid: UUID };
    expect(await client.getNetworkXml(netRef, { inactive: true })).toBe('<NETWORK_GET_XML_DESC/>');
    expect(await client.getStoragePoolXml(netRef, { inactive: true })).toBe('<STORAGE_POOL_GET_XML_DESC/>');
    expect(await client.getInterfaceXml({ name: 'eth0', mac: 'aa:bb:cc:dd:ee:ff' }, { inactive: true })).toBe('<INTERFACE_GET_XML_DESC/>');
    expect(caller.calls.map((c) => (c.args as { flags: number }).flags)).toEqual([1, 0, 1, 0, 1, 0]);
    // Domains always have a persistent definition: no fallback hides a real error there.
    await expect(client.getDomainXml(vm, { inactive: true })).rejects.toMatchObject({ code: 8 });
  });

  it('close() runs the closer once', async () => {
    let closed = 0;
    const client = new LibvirtClient(new FakeCaller(() => undefined), { close: async () => void closed++ });
    await Promise.all([client.close(), client.close()]);
    expect(closed).toBe(1);
  });
});
