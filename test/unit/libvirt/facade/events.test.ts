import { describe, expect, it } from 'vitest';
import * as P from '../../../../src/libvirt/generated/remote-procedures.js';
import {
  decodeDomainLifecycle,
  decodeNodeDeviceLifecycle,
  subscribeLifecycleEvents,
  type LifecycleEvent,
} from '../../../../src/libvirt/events.js';
import { cat, encode, hex, i32, str } from './helpers.js';
import { FakeCaller, libvirtFailure } from './fake-caller.js';

const UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

function domainMsg(callbackID: number, event: number, detail: number, name = 'vm1'): Buffer {
  return cat(i32(callbackID), str(name), hex(UUID), i32(-1), i32(event), i32(detail));
}

describe('lifecycle MESSAGE bodies (generated layouts)', () => {
  it('register args: event id then an absent object (all objects)', () => {
    expect(encode(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY.args, { eventID: 0, dom: null })).toEqual(cat(i32(0), i32(0)));
  });

  it('decodes a crafted domain lifecycle MESSAGE body', () => {
    expect(decodeDomainLifecycle(domainMsg(7, 2, 0))).toEqual({
      callbackID: 7,
      event: { kind: 'domain', name: 'vm1', uuid: UUID, id: -1, event: 'started', code: 2, detail: 0 },
    });
    expect(decodeDomainLifecycle(domainMsg(7, 99, 0)).event).toMatchObject({ event: 'unknown', code: 99 });
  });

  it('decodes a node device lifecycle body and refuses trailing bytes', () => {
    const body = cat(i32(4), str('pci_0000_00_01_0'), i32(0), i32(0));
    expect(decodeNodeDeviceLifecycle(body)).toEqual({
      callbackID: 4,
      event: { kind: 'nodeDevice', name: 'pci_0000_00_01_0', event: 'created', code: 0, detail: 0 },
    });
    expect(() => decodeNodeDeviceLifecycle(cat(body, i32(0)))).toThrow();
  });
});

describe('subscribeLifecycleEvents', () => {
  const callbackIds: Record<string, number> = {
    CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: 1,
    CONNECT_NETWORK_EVENT_REGISTER_ANY: 2,
    CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY: 3,
  };

  function fake(): FakeCaller {
    const caller: FakeCaller = new FakeCaller((name) => {
      if (name === 'CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY') throw libvirtFailure(3, 'this function is not supported');
      if (name === 'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY') {
        // The daemon may emit an event before our await sees the callbackID: it must not be lost.
        caller.push(P.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, domainMsg(1, 0, 0, 'early'));
      }
      const callbackID = callbackIds[name];
      return callbackID === undefined ? undefined : { callbackID };
    });
    return caller;
  }

  it('subscribes every kind it can, reports the rest, delivers typed events, and deregisters on dispose', async () => {
    const caller = fake();
    const seen: LifecycleEvent[] = [];
    const sub = await subscribeLifecycleEvents({ rpc: caller }, { any: (e) => seen.push(e) });
    expect(sub.subscribed).toEqual(['domain', 'network', 'storagePool']);
    expect(sub.unsupported.map((u) => u.kind)).toEqual(['nodeDevice']);
    expect(seen.map((e) => e.name)).toEqual(['early']);

    caller.push(P.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, domainMsg(1, 5, 1, 'vm1'));
    caller.push(P.REMOTE_PROC_NETWORK_EVENT_LIFECYCLE, cat(i32(2), str('lan'), hex(UUID), i32(2), i32(0)));
    caller.push(P.REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE, cat(i32(3), str('images'), hex(UUID), i32(4), i32(0)));
    // Another subscription's callback id on the same connection: not ours.
    caller.push(P.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, domainMsg(99, 0, 0, 'foreign'));

    expect(seen.slice(1)).toEqual([
      { kind: 'domain', name: 'vm1', uuid: UUID, id: -1, event: 'stopped', code: 5, detail: 1 },
      { kind: 'network', name: 'lan', uuid: UUID, event: 'started', code: 2, detail: 0 },
      { kind: 'storagePool', name: 'images', uuid: UUID, event: 'created', code: 4, detail: 0 },
    ]);

    await sub.dispose();
    await sub.dispose();
    const deregs = caller.calls.filter((c) => c.name.includes('DEREGISTER'));
    expect(deregs.map((c) => [c.name, c.args])).toEqual([
      ['CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY', { callbackID: 1 }],
      ['CONNECT_NETWORK_EVENT_DEREGISTER_ANY', { callbackID: 2 }],
      ['CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY', { callbackID: 3 }],
    ]);
    expect(caller.listenerCount).toBe(0);
  });

  it('registers only the kinds that have a handler', async () => {
    const caller = fake();
    const names: string[] = [];
    const sub = await subscribeLifecycleEvents({ rpc: caller }, { network: (e) => names.push(`${e.name}:${e.event}`) });
    expect(sub.subscribed).toEqual(['network']);
    caller.push(P.REMOTE_PROC_NETWORK_EVENT_LIFECYCLE, cat(i32(2), str('lan'), hex(UUID), i32(0), i32(0)));
    expect(names).toEqual(['lan:defined']);
    await sub.dispose();
  });

  it('reports undecodable bodies to onError and keeps going', async () => {
    const caller = fake();
    const errors: unknown[] = [];
    const seen: string[] = [];
    const sub = await subscribeLifecycleEvents({ rpc: caller }, { domain: (e) => seen.push(e.name), onError: (e) => errors.push(e) });
    caller.push(P.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, Buffer.from([0, 0, 0, 1]));
    caller.push(P.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, domainMsg(1, 2, 0, 'after'));
    expect(errors).toHaveLength(1);
    expect(seen).toEqual(['early', 'after']);
    await sub.dispose();
  });

  it('rejects when no requested kind can be subscribed', async () => {
    const caller = fake();
    await expect(subscribeLifecycleEvents({ rpc: caller }, { nodeDevice: () => {} })).rejects.toMatchObject({ code: 3 });
    expect(caller.listenerCount).toBe(0);
  });

  it('shares one registration per kind among subscriptions on a connection, as libvirtd requires', async () => {
    const registered = new Set<string>();
    const caller = new FakeCaller((name, args) => {
      if (name.endsWith('_REGISTER_ANY') && !name.includes('DEREGISTER')) {
        // libvirtd: "event callback already tracked"
        if (registered.has(name)) throw libvirtFailure(8, 'event callback already tracked');
        registered.add(name);
        return { callbackID: 5 };
      }
      if (name === 'CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY') {
        expect(args).toEqual({ callbackID: 5 });
        registered.delete('CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY');
      }
      return undefined;
    });
    const a: string[] = [];
    const b: string[] = [];
    const [subA, subB] = await Promise.all([
      subscribeLifecycleEvents({ rpc: caller }, { domain: (e) => a.push(e.event) }),
      subscribeLifecycleEvents({ rpc: caller }, { domain: (e) => b.push(e.event) }),
    ]);
    expect([subA.subscribed, subB.subscribed]).toEqual([['domain'], ['domain']]);
    expect(caller.calls.filter((c) => c.name === 'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY')).toHaveLength(1);

    caller.push(P.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, domainMsg(5, 0, 0));
    await subA.dispose();
    expect(caller.calls.some((c) => c.name.includes('DEREGISTER'))).toBe(false);
    caller.push(P.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, domainMsg(5, 1, 0));
    expect(a).toEqual(['defined']);
    expect(b).toEqual(['defined', 'undefined']);

    await subB.dispose();
    expect(caller.calls.filter((c) => c.name === 'CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY')).toHaveLength(1);
    expect(caller.listenerCount).toBe(0);

    // After everyone left, a new subscription registers again.
    const subC = await subscribeLifecycleEvents({ rpc: caller }, { domain: () => {} });
    expect(subC.subscribed).toEqual(['domain']);
    await subC.dispose();
  });
});
