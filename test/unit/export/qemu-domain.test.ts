// A domain as virt-install and libvirt's QEMU driver leave it (outside the corpus folders, which
// hold test-driver documents): export carries the defaults QEMU added, other tools' metadata and
// the console libvirt numbered, plans nothing against it, and renders it back on an empty host.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toManifests } from '../../../src/cli/commands/export.js';
import { defaultRegistry } from '../../../src/resources/registry.js';
import type { LiveResource } from '../../../src/resources/types.js';
import { xmlDifferences } from '../../integration/corpus/compare.js';
import { contextOf, liveFromXml, loaded } from '../resources/common/live.js';

const XML = readFileSync(new URL('./fixtures/qemu-domain.xml', import.meta.url), 'utf8');

describe('export of a QEMU domain', () => {
  const live = liveFromXml(defaultRegistry.Domain, 'web-1', XML, { active: true, autostart: false, state: 'running' });
  const exported = toManifests([live as LiveResource])[0];
  const manifest = exported?.manifest;
  if (manifest?.kind !== 'Domain') throw new Error('no Domain exported');
  const ctx = contextOf([loaded(manifest)]);

  it('renders back on an empty host with nothing lost but the addresses libvirt gives friendly devices again', () => {
    const rendered = defaultRegistry.Domain.toXml(manifest, undefined, ctx);
    expect(xmlDifferences(XML, rendered, XML)).toEqual([
      '-domain/devices/disk[0]/address',
      '-domain/devices/disk[1]/address',
      '-domain/devices/interface/address',
    ]);
    expect(exported?.uncarried).toEqual([]);
  });

  it('has one console, the one libvirt numbered port 0, not a second one next to the generated one', () => {
    const rendered = defaultRegistry.Domain.toXml(manifest, undefined, ctx);
    expect(rendered.match(/<console /g)).toHaveLength(1);
  });

  it('leaves out the friendly fields whose elements the merge replaces, so none says a value apply would override', () => {
    const spec = manifest.spec;
    // <vcpu placement="static">, <cpu check="none">, <features><vmport state="off"/>: carried whole.
    expect(spec.xml?.merge).toMatch(/<vcpu placement="static">2<\/vcpu>/);
    expect([spec.vcpus, spec.cpu, spec.features]).toEqual([undefined, undefined, undefined]);
    // What the merge does not replace stays friendly.
    expect(spec.memory).toBe('2GiB');
    expect(spec.disks?.map((d) => d.target)).toEqual(['vda', 'sda']);
  });

  it('plans nothing against the domain it came from', () => {
    expect(defaultRegistry.Domain.plan(loaded(manifest), live, ctx).changes).toEqual([]);
  });
});
