// Conflicts between Domain manifests, and with the volumes they use, visible only with all
// documents at hand. Pure.
import { driverFormatOf } from '../storage-volume/formats.js';
import { VOLUME_FORMATS } from '../storage-volume/schema.js';
import type { DomainManifest } from './schema.js';
import { field, text, type Candidate, type CrossFindings, type CrossIssue, type CrossScope } from '../contract.js';
import { duplicateUuids } from '../common/uuids.js';
import { VOLUME_KIND, volumeKey } from '../storage-volume/key.js';

export function checkDomainsAcross({ mine, byKey }: CrossScope<DomainManifest>): CrossFindings {
  const macs = sharedMacs(mine);
  return { errors: [...disksOnUnreadableVolumes(mine, byKey), ...macs.errors, ...duplicateUuids(mine)], warnings: macs.warnings };
}

/** A disk on a volume no QEMU disk reads (a dir, fat, ploop or cow volume) cannot start. */
function disksOnUnreadableVolumes(
  candidates: ReadonlyArray<Candidate<DomainManifest>>,
  byKey: CrossScope<DomainManifest>['byKey'],
): CrossIssue[] {
  const issues: CrossIssue[] = [];
  for (const c of candidates) {
    (c.manifest.spec.disks ?? []).forEach((d, i) => {
      if (!d.volume || d.format !== undefined) return;
      const vol = byKey.get(volumeKey(d.volume.pool, d.volume.name))?.manifest;
      const format = vol?.kind === VOLUME_KIND ? VOLUME_FORMATS.find((f) => f === text(field(vol, 'spec'), 'format')) : undefined;
      if (format !== undefined && driverFormatOf(format) === undefined)
        issues.push({
          candidate: c,
          path: ['spec', 'disks', i, 'volume'],
          message: `refers to a volume of format ${format}, which QEMU cannot open as a disk`,
        });
    });
  }
  return issues;
}

/** A domain whose NICs are on a network now: its MACs clash with any other such domain's. */
function runs(d: DomainManifest): boolean {
  const state = d.spec.state ?? 'running';
  return state === 'running' || state === 'paused';
}

/**
 * Two NICs with one MAC break networking for both guests when both run (running or paused): an
 * error. When one of them is stopped or saved it only breaks the day both run: a warning, since
 * a spare copy of a guest kept stopped is a real pattern.
 */
function sharedMacs(candidates: ReadonlyArray<Candidate<DomainManifest>>): CrossFindings {
  const errors: CrossIssue[] = [];
  const warnings: CrossIssue[] = [];
  const seen = new Map<string, Array<{ name: string; running: boolean }>>();
  for (const c of candidates) {
    const domain = c.manifest;
    const running = runs(domain);
    const local = new Set<string>(); // duplicates inside one domain are reported by check.ts
    (domain.spec.interfaces ?? []).forEach((n, i) => {
      const mac = n.mac?.toLowerCase();
      if (!mac || local.has(mac)) return;
      local.add(mac);
      const before = seen.get(mac) ?? [];
      seen.set(mac, [...before, { name: domain.metadata.name, running }]);
      if (before.length === 0) return;
      const path = ['spec', 'interfaces', i, 'mac'];
      const clash = running ? before.find((b) => b.running) : undefined;
      if (clash) errors.push({ candidate: c, path, message: `is already used by Domain "${clash.name}", and both run` });
      else
        warnings.push({
          candidate: c,
          path,
          message: `is also used by Domain "${before[0].name}"; fine while they never run at the same time, their NICs clash if they do`,
        });
    });
  }
  return { errors, warnings };
}
