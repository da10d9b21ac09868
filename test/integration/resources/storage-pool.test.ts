// StoragePool kind against libvirt's test driver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import type { StoragePoolManifest, StoragePoolSpec } from '../../../src/resources/storage-pool/schema.js';
import { storagePoolKind } from '../../../src/resources/storage-pool/index.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { KindHarness, virsh, type AnyKind } from '../../unit/resources/common/harness.js';
import { manifest } from '../../unit/resources/common/live.js';

const SPEC: StoragePoolSpec = { type: 'dir', path: '/var/lib/vk-int/images', autostart: true };
const images = (spec: Partial<StoragePoolSpec> = {}, annotations?: Record<string, string>): StoragePoolManifest =>
  manifest('StoragePool', 'vk-images', { ...SPEC, ...spec }, annotations);

describe('StoragePool kind on the test driver', () => {
  const fixture = usePrivateLibvirtd();
  let client: LibvirtClient;
  let h: KindHarness;
  beforeAll(async () => {
    client = await LibvirtClient.connect(fixture.daemon.testUri);
    h = new KindHarness(client, [storagePoolKind as unknown as AnyKind]);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('reads the driver default pool without its sizes', async () => {
    expect((await h.live()).get('StoragePool/default-pool')?.spec).toEqual({ type: 'dir', autostart: false, path: '/default-pool' });
  });

  it('creates the pool (define, build, start, autostart), then plans nothing', async () => {
    const create = await h.plan(storagePoolKind, images());
    expect(create.steps.map((s) => s.op)).toEqual(['define', 'build', 'start', 'setAutostart']);
    await h.execute(storagePoolKind, create);
    expect((await h.live()).get('StoragePool/vk-images')).toMatchObject({ active: true, spec: { autostart: true } });
    expect((await h.plan(storagePoolKind, images())).action).toBe('no-op');
  });

  it('autostart is exactly one live change', async () => {
    const change = await h.plan(storagePoolKind, images({ autostart: false }));
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.autostart', 'live']]);
    await h.execute(storagePoolKind, change);
    expect((await h.plan(storagePoolKind, images({ autostart: false }))).action).toBe('no-op');
  });

  it('a new target path is a replace, refused without allow-replace', async () => {
    const change = await h.plan(storagePoolKind, images({ autostart: false, path: '/var/lib/vk-int/other' }));
    expect(change.action).toBe('replace');
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.path', 'replace']]);
    expect(change.refused).toMatch(/allow-replace/);
    await expect(h.execute(storagePoolKind, change)).rejects.toThrow(/refused/);
  });

  it('an out-of-band pool-destroy is planned as a start', async () => {
    await virsh(fixture.daemon.testUri, 'pool-destroy', 'vk-images');
    const m = images({ autostart: false });
    const change = await h.plan(storagePoolKind, m);
    expect(change.changes.map((c) => c.path)).toEqual(['status.active']);
    expect(change.steps.map((s) => s.op)).toEqual(['start']);
    await h.execute(storagePoolKind, change);
    expect((await h.plan(storagePoolKind, m)).action).toBe('no-op');
  });

  it('replace with allow-replace keeps nothing but the name, and converges', async () => {
    const m = images({ autostart: false, path: '/var/lib/vk-int/other' }, { 'virtkeeper.io/allow-replace': 'true' });
    const change = await h.plan(storagePoolKind, m);
    expect(change.refused).toBeUndefined();
    await h.execute(storagePoolKind, change);
    expect((await h.plan(storagePoolKind, m)).action).toBe('no-op');
  });

  it('deletes: destroy and undefine, never pool-delete', async () => {
    const change = await h.plan(storagePoolKind, 'StoragePool/vk-images');
    expect(change.steps.map((s) => s.op)).toEqual(['destroy', 'undefine']);
    await h.execute(storagePoolKind, change);
    expect(await client.lookupStoragePool('vk-images')).toBeNull();
  });
});
