// Domain procedures against the test driver of a private libvirtd.
import { describe, expect, it } from 'vitest';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import {
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_DOMAIN,
  VIR_ERR_NO_DOMAIN_METADATA,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_OPERATION_DENIED,
  VIR_ERR_OPERATION_FAILED,
} from '../../../src/libvirt/errors.js';
import { domainXml, expectLibvirtError, useKeeperClient } from './helpers.js';

const NS = 'https://virtkeeper.io/xmlns/v1';

describe('domains', () => {
  const fixture = usePrivateLibvirtd();
  const keeper = useKeeperClient(fixture);

  it('define → lookup → XML → autostart → start → state → suspend/resume → destroy → undefine', async () => {
    const c = keeper.client;
    const defined = await c.defineDomain(domainXml('rt1'));
    expect(defined).toMatchObject({ name: 'rt1', id: -1 });
    expect(defined.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    expect(await c.lookupDomain('rt1')).toEqual(defined);
    expect(await c.lookupDomainByUuid(defined.uuid)).toEqual(defined);
    expect((await c.listDomains()).map((d) => d.name)).toEqual(expect.arrayContaining(['test', 'rt1']));
    expect((await c.listDomains({ active: false })).map((d) => d.name)).toContain('rt1');
    expect((await c.listDomains({ active: true })).map((d) => d.name)).not.toContain('rt1');

    const xml = await c.getDomainXml(defined, { inactive: true });
    expect(xml).toContain('<name>rt1</name>');
    expect(xml).toContain(`<uuid>${defined.uuid}</uuid>`);
    expect(await c.isDomainPersistent(defined)).toBe(true);

    expect(await c.getDomainAutostart(defined)).toBe(false);
    await c.setDomainAutostart(defined, true);
    expect(await c.getDomainAutostart(defined)).toBe(true);

    expect(await c.domainState(defined)).toBe('shutoff');
    const running = await c.startDomain(defined);
    expect(running.id).toBeGreaterThan(0);
    expect(running.uuid).toBe(defined.uuid);
    expect(await c.getDomainState(running)).toEqual({ state: 'running', reason: 1 }); // VIR_DOMAIN_RUNNING_BOOTED
    expect(await c.isDomainActive(running)).toBe(true);
    expect(await c.getDomainInfo(running)).toMatchObject({ state: 'running', maxMemoryBytes: 64n * 1024n * 1024n, vcpus: 1 });

    await c.suspendDomain(running);
    expect(await c.domainState(running)).toBe('paused');
    await c.resumeDomain(running);
    expect(await c.domainState(running)).toBe('running');

    await c.destroyDomain(running);
    expect(await c.getDomainState(defined)).toEqual({ state: 'shutoff', reason: 2 }); // VIR_DOMAIN_SHUTOFF_DESTROYED

    await c.undefineDomain(defined);
    expect(await c.lookupDomain('rt1')).toBeNull();
  });

  it('redefining needs the UUID libvirt generated in the XML; without it the define is refused', async () => {
    const c = keeper.client;
    const first = await c.defineDomain(domainXml('redef'));
    // libvirt generates a fresh UUID for XML without one, which then clashes with the existing name.
    await expectLibvirtError(c.defineDomain(domainXml('redef').replace('64', '128')), VIR_ERR_OPERATION_FAILED);
    const withUuid = domainXml('redef').replace('64', '128').replace('</name>', `</name><uuid>${first.uuid}</uuid>`);
    const second = await c.defineDomain(withUuid);
    expect(second.uuid).toBe(first.uuid);
    expect(await c.getDomainXml(second, { inactive: true })).toContain("<memory unit='KiB'>131072</memory>");
    await c.undefineDomain(second);
  });

  it('shutdown stops a running test domain; graceful destroy works; START_PAUSED is refused by the test driver', async () => {
    const c = keeper.client;
    const d = await c.defineDomain(domainXml('sd1'));
    const running = await c.startDomain(d);
    await c.shutdownDomain(running);
    expect(await c.domainState(d)).toBe('shutoff');
    await expectLibvirtError(c.startDomain(d, { paused: true }), VIR_ERR_INVALID_ARG);
    const again = await c.startDomain(d);
    await c.destroyDomain(again, { graceful: true });
    expect(await c.domainState(d)).toBe('shutoff');
    await c.undefineDomain(d);
  });

  it('element metadata round-trips by namespace; absent metadata is null or VIR_ERR_NO_DOMAIN_METADATA', async () => {
    const c = keeper.client;
    const d = await c.defineDomain(domainXml('md1'));
    expect(await c.findDomainMetadata(d, { type: 'element', uri: NS })).toBeNull();
    await expectLibvirtError(c.getDomainMetadata(d, { type: 'element', uri: NS }), VIR_ERR_NO_DOMAIN_METADATA);

    await c.setDomainMetadata(d, { type: 'element', value: '<owner by="virtkeeper"/>', key: 'vk', uri: NS }, { config: true });
    expect(await c.getDomainMetadata(d, { type: 'element', uri: NS }, { config: true })).toBe('<owner by="virtkeeper"/>');
    expect(await c.getDomainXml(d, { inactive: true })).toContain(`<vk:owner xmlns:vk="${NS}" by="virtkeeper"/>`);

    await c.setDomainMetadata(d, { type: 'description', value: 'managed by virtkeeper' }, { config: true });
    expect(await c.getDomainMetadata(d, { type: 'description' }, { config: true })).toBe('managed by virtkeeper');

    await c.setDomainMetadata(d, { type: 'element', value: null, uri: NS }, { config: true });
    expect(await c.findDomainMetadata(d, { type: 'element', uri: NS }, { config: true })).toBeNull();
    await c.undefineDomain(d);
  });

  it('the test driver has no device hotplug: attach/detach fail with VIR_ERR_NO_SUPPORT', async () => {
    const c = keeper.client;
    const d = await c.getDomain('test');
    const disk = "<disk type='file' device='disk'><source file='/x.img'/><target dev='vdb' bus='virtio'/></disk>";
    await expectLibvirtError(c.attachDevice(d, disk, { live: true }), VIR_ERR_NO_SUPPORT);
    await expectLibvirtError(c.detachDevice(d, disk, { live: true }), VIR_ERR_NO_SUPPORT);
  });

  it('operations on a missing domain fail with VIR_ERR_NO_DOMAIN', async () => {
    const c = keeper.client;
    await expectLibvirtError(c.getDomain('no-such-domain'), VIR_ERR_NO_DOMAIN);
    expect(await c.lookupDomain('no-such-domain')).toBeNull();
    expect(await c.lookupDomainByUuid('00000000-0000-0000-0000-000000000001')).toBeNull();
    const gone = await c.defineDomain(domainXml('gone'));
    await c.undefineDomain(gone);
    await expectLibvirtError(c.getDomainXml(gone), VIR_ERR_NO_DOMAIN);
    await expectLibvirtError(c.startDomain(gone), VIR_ERR_NO_DOMAIN);
  });

  it('a read-only connection reads but is refused every mutation with VIR_ERR_OPERATION_DENIED', async () => {
    const ro = await LibvirtClient.connect(fixture.daemon.testUri, { readOnly: true });
    try {
      const test = await ro.getDomain('test');
      expect(await ro.getDomainXml(test)).toContain('<name>test</name>');
      await expectLibvirtError(ro.getDomainXml(test, { secure: true }), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(ro.defineDomain(domainXml('ro1')), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(ro.setDomainAutostart(test, true), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(ro.suspendDomain(test), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(ro.destroyDomain(test), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(ro.undefineDomain(test), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(
        ro.setDomainMetadata(test, { type: 'element', value: '<x/>', key: 'vk', uri: NS }),
        VIR_ERR_OPERATION_DENIED,
      );
    } finally {
      await ro.close();
    }
  });
});
