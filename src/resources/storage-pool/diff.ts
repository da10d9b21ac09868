// Desired vs live StoragePoolSpec. Where a pool's storage lives (type, source, target path) is
// only changed by replacing the pool; the `xml` escape hatch is a plain redefine.
import type { StoragePoolSpec } from './schema.js';
import type { FieldChange } from '../types.js';
import { FieldDiff } from '../common/field-diff.js';
import { overlayDrift } from '../common/overlay-diff.js';
import { defaultTargetPath } from './to-xml.js';

const normPath = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);

export function diffPool(want: StoragePoolSpec, have: StoragePoolSpec, liveXml?: string): FieldChange[] {
  const diff = new FieldDiff();
  diff.field('spec.type', want.type, have.type, 'replace');
  diff.field('spec.path', want.path ?? defaultTargetPath(want), have.path, 'replace', normPath);
  const s = want.source;
  const h = have.source ?? {};
  if (s) {
    diff.field('spec.source.host', s.host, h.host, 'replace', (v) => v.toLowerCase());
    diff.field('spec.source.port', s.port, h.port, 'replace');
    diff.field('spec.source.dir', s.dir, h.dir, 'replace', normPath);
    diff.field('spec.source.devices', s.devices, h.devices ?? [], 'replace');
    diff.field('spec.source.name', s.name, h.name, 'replace');
    diff.field('spec.source.format', s.format, h.format, 'replace');
    diff.field('spec.source.iqn', s.iqn, h.iqn, 'replace');
    diff.field('spec.source.initiatorIqn', s.initiatorIqn, h.initiatorIqn, 'replace');
    // A new login takes effect when the pool starts again: a redefine, restart pending.
    if (s.auth) {
      diff.field('spec.source.auth.type', s.auth.type, h.auth?.type, 'redefine');
      diff.field('spec.source.auth.username', s.auth.username, h.auth?.username, 'redefine');
      diff.field('spec.source.auth.secret', s.auth.secret, h.auth?.secret, 'redefine');
    }
    // WWNs are hex: libvirt keeps their case, a user may write either.
    const wwn = (v: string) => v.toLowerCase().replace(/^0x/, '');
    diff.field('spec.source.adapter.name', s.adapter?.name, h.adapter?.name, 'replace');
    diff.field('spec.source.adapter.wwnn', s.adapter?.wwnn, h.adapter?.wwnn, 'replace', wwn);
    diff.field('spec.source.adapter.wwpn', s.adapter?.wwpn, h.adapter?.wwpn, 'replace', wwn);
    diff.field('spec.source.adapter.parent', s.adapter?.parent, h.adapter?.parent, 'replace');
    diff.field('spec.source.adapter.parentAddress', s.adapter?.parentAddress, h.adapter?.parentAddress, 'replace', (p) => ({
      pci: { domain: 0, ...p.pci },
      uniqueId: p.uniqueId,
    }));
  }
  if (overlayDrift(want.xml?.merge, liveXml).length) {
    diff.add({ path: 'spec.xml.merge', after: want.xml?.merge, class: 'redefine' });
  }
  return diff.changes;
}
