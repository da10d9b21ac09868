// Many calls in flight on one connection: every reply must reach the call that asked for it.
import { describe, expect, it } from 'vitest';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { LibvirtClient, type CallInfo } from '../../../src/libvirt/client.js';
import { domainXml, useKeeperClient } from './helpers.js';

describe('concurrent calls on one connection', () => {
  const fixture = usePrivateLibvirtd();
  const keeper = useKeeperClient(fixture);

  it('150 concurrent lookups of 50 different domains, mixed with misses and XML reads, all match', async () => {
    const c = keeper.client;
    const names = Array.from({ length: 50 }, (_, i) => `cc-${i}`);
    const defined = await Promise.all(names.map((n) => c.defineDomain(domainXml(n))));
    const uuidByName = new Map(defined.map((d) => [d.name, d.uuid]));
    expect(uuidByName.size).toBe(50);

    const lookups = names.flatMap((n) => [c.lookupDomain(n), c.lookupDomain(`${n}-missing`)]);
    const xmls = defined.map((d) => c.getDomainXml(d, { inactive: true }));
    const [found, docs] = await Promise.all([Promise.all(lookups), Promise.all(xmls)]);

    for (let i = 0; i < names.length; i++) {
      expect(found[2 * i]).toEqual({ name: names[i], uuid: uuidByName.get(names[i]!), id: -1 });
      expect(found[2 * i + 1]).toBeNull();
      expect(docs[i]).toContain(`<name>${names[i]}</name>`);
      expect(docs[i]).toContain(`<uuid>${uuidByName.get(names[i]!)}</uuid>`);
    }
    await Promise.all(defined.map((d) => c.undefineDomain(d)));
    expect((await c.listDomains()).map((d) => d.name)).toEqual(['test']);
  });

  it('the onCall hook sees every call with its procedure name', async () => {
    const infos: CallInfo[] = [];
    const c = await LibvirtClient.connect(fixture.daemon.testUri, { onCall: (i) => infos.push(i) });
    try {
      await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? c.getHostname() : c.lookupDomain('nope'))));
      expect(infos).toHaveLength(120);
      expect(infos.filter((i) => i.procedure === 'CONNECT_GET_HOSTNAME')).toHaveLength(60);
      const lookups = infos.filter((i) => i.procedure === 'DOMAIN_LOOKUP_BY_NAME');
      expect(lookups).toHaveLength(60);
      expect(lookups.every((i) => i.error !== undefined && i.durationMs >= 0)).toBe(true);
    } finally {
      await c.close();
    }
  });
});
