// Lifecycle events delivered to one connection when another connection changes objects.
import { describe, expect, it } from 'vitest';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { subscribeLifecycleEvents, type LifecycleEvent } from '../../../src/libvirt/events.js';
import { domainXml, networkXml, poolXml, useKeeperClient, virsh, waitFor, xmlFile } from './helpers.js';

describe('lifecycle events', () => {
  const fixture = usePrivateLibvirtd();
  const keeper = useKeeperClient(fixture);

  function collector(): { events: LifecycleEvent[]; named: (kind: string, name: string) => string[] } {
    const events: LifecycleEvent[] = [];
    return {
      events,
      named: (kind, name) => events.filter((e) => e.kind === kind && e.name === name).map((e) => e.event),
    };
  }

  it('reports which kinds the daemon accepted and delivers domain events caused by virsh', async () => {
    const c = collector();
    const sub = await subscribeLifecycleEvents(keeper.client, { any: (e) => c.events.push(e) });
    try {
      expect(sub.subscribed).toEqual(expect.arrayContaining(['domain', 'network', 'storagePool']));
      // Node device events may or may not be offered by a driver; either way the kind is accounted for.
      expect([...sub.subscribed, ...sub.unsupported.map((u) => u.kind)].sort()).toEqual(['domain', 'network', 'nodeDevice', 'storagePool']);

      const uri = fixture.daemon.testUri;
      await virsh(uri, 'define', await xmlFile('ev-dom', domainXml('ev-dom')));
      await virsh(uri, 'start', 'ev-dom');
      await virsh(uri, 'destroy', 'ev-dom');
      await virsh(uri, 'undefine', 'ev-dom');

      const seen = await waitFor(
        () => {
          const names = c.named('domain', 'ev-dom');
          return names.length >= 4 ? names : undefined;
        },
        5000,
        'four ev-dom events',
      );
      expect(seen).toEqual(['defined', 'started', 'stopped', 'undefined']);
      const started = c.events.find((e) => e.kind === 'domain' && e.name === 'ev-dom' && e.event === 'started');
      expect(started).toMatchObject({ kind: 'domain', detail: 0 /* VIR_DOMAIN_EVENT_STARTED_BOOTED */ });
      expect(started && 'uuid' in started ? started.uuid : '').toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await sub.dispose();
    }
  });

  it('delivers network and storage pool events caused by a second client', async () => {
    const c = collector();
    const sub = await subscribeLifecycleEvents(keeper.client, {
      network: (e) => c.events.push(e),
      storagePool: (e) => c.events.push(e),
    });
    const other = await LibvirtClient.connect(fixture.daemon.testUri);
    try {
      expect(sub.subscribed).toEqual(['network', 'storagePool']);
      const net = await other.defineNetwork(networkXml('ev-net', 81));
      await other.startNetwork(net);
      await other.destroyNetwork(net);
      await other.undefineNetwork(net);

      const pool = await other.defineStoragePool(poolXml('ev-pool'));
      await other.startStoragePool(pool);
      await other.destroyStoragePool(pool);
      await other.undefineStoragePool(pool);

      await waitFor(
        () => (c.named('network', 'ev-net').length >= 4 && c.named('storagePool', 'ev-pool').length >= 4 ? true : undefined),
        5000,
        'network and pool events',
      );
      expect(c.named('network', 'ev-net')).toEqual(['defined', 'started', 'stopped', 'undefined']);
      expect(c.named('storagePool', 'ev-pool')).toEqual(['defined', 'started', 'stopped', 'undefined']);
      // Only the kinds asked for were subscribed.
      expect(c.events.every((e) => e.kind === 'network' || e.kind === 'storagePool')).toBe(true);
    } finally {
      await other.close();
      await sub.dispose();
    }
  });

  it('two subscriptions on one connection each get the events once; a disposed one gets none', async () => {
    const a = collector();
    const b = collector();
    const subA = await subscribeLifecycleEvents(keeper.client, { domain: (e) => a.events.push(e) });
    const subB = await subscribeLifecycleEvents(keeper.client, { domain: (e) => b.events.push(e) });
    const other = await LibvirtClient.connect(fixture.daemon.testUri);
    try {
      const d = await other.defineDomain(domainXml('ev-two'));
      await waitFor(() => (a.named('domain', 'ev-two').length && b.named('domain', 'ev-two').length ? true : undefined));
      await subB.dispose();
      await other.undefineDomain(d);
      await waitFor(() => (a.named('domain', 'ev-two').length >= 2 ? true : undefined));
      // Give a stray event for B time to arrive before asserting it did not.
      await new Promise((r) => setTimeout(r, 100));
      expect(a.named('domain', 'ev-two')).toEqual(['defined', 'undefined']);
      expect(b.named('domain', 'ev-two')).toEqual(['defined']);
    } finally {
      await other.close();
      await subA.dispose();
      await subB.dispose();
    }
  });
});
