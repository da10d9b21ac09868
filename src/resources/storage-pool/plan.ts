// Pure planning of one storage pool on the persistent-object template (common/persistent-object.ts). Pools are kept active (no state field). Replacing a pool
// (new type, source or target) destroys and undefines the old definition, never its data, and
// still needs virtkeeper.io/allow-replace: "true" because volumes vanish from libvirt's view.
// Deleting a pool never runs virStoragePoolDelete: the storage stays on the host.
import { dependencyKeys } from '../contract.js';
import { storagePoolDefinition } from './contract.js';
import type { StoragePoolManifest } from './schema.js';
import type { LoadedManifest } from '../../manifests/types.js';
import type { FieldChange, LiveResource, PlanContext, ResourceChange } from '../types.js';
import type { PoolBuildStep, StoragePoolStep } from './steps.js';
import { ANNOTATION_ALLOW_FORMAT, ANNOTATION_ALLOW_REPLACE, annotationIsTrue } from '../common/annotations.js';
import { buildChange, listPaths, noOp, updateReason, type ChangeIdentity } from '../common/change.js';
import { activeChange, autostartChange, defineStep, setAutostartStep, startStep } from '../common/lifecycle.js';
import { planObject, removeSteps, type ObjectPlanAdapter } from '../common/persistent-object.js';
import { diffPool } from './diff.js';
import { poolToXml, resolvePoolSecrets } from './to-xml.js';

type PoolLive = LiveResource<'StoragePool'>;

/**
 * The build step, or none. dir/fs/netfs builds only create the target directory (fs formats
 * only when asked to); logical and disk builds write to block devices (vgcreate, a partition
 * table), so they run only with virtkeeper.io/allow-format: "true", and then with
 * NO_OVERWRITE so an existing volume group or partition table is still refused by libvirt.
 */
export function buildStep(manifest: StoragePoolManifest): PoolBuildStep | undefined {
  const name = manifest.metadata.name;
  const allowFormat = annotationIsTrue(manifest, ANNOTATION_ALLOW_FORMAT);
  switch (manifest.spec.type) {
    case 'dir':
    case 'netfs':
      return { op: 'build', description: `create the directory of pool ${name}`, payload: { name, noOverwrite: false } };
    case 'fs':
      return allowFormat
        ? { op: 'build', description: `build pool ${name} (mkfs if the device has no filesystem)`, payload: { name, noOverwrite: true } }
        : { op: 'build', description: `create the mount point of pool ${name}`, payload: { name, noOverwrite: false } };
    case 'vstorage':
      // Its build only makes the mount point, like netfs.
      return { op: 'build', description: `create the mount point of pool ${name}`, payload: { name, noOverwrite: false } };
    case 'zfs':
      // A zpool that already exists is just imported: only devices to create one on are built.
      if (!manifest.spec.source?.devices?.length) return undefined;
      return allowFormat
        ? {
            op: 'build',
            description: `build pool ${name} on its devices (refused by libvirt if already formatted)`,
            payload: { name, noOverwrite: true },
          }
        : undefined;
    case 'logical':
    case 'disk':
      return allowFormat
        ? {
            op: 'build',
            description: `build pool ${name} on its devices (refused by libvirt if already formatted)`,
            payload: { name, noOverwrite: true },
          }
        : undefined;
    // Storage that exists on its own (a SAN, a cluster, the host's SCSI and multipath devices): nothing to build.
    case 'iscsi':
    case 'iscsi-direct':
    case 'scsi':
    case 'mpath':
    case 'rbd':
    case 'sheepdog':
    case 'gluster':
      return undefined;
  }
}

function createSteps(manifest: StoragePoolManifest, liveXml: string | undefined): StoragePoolStep[] {
  const name = manifest.metadata.name;
  const label = `pool ${name}`;
  const steps: StoragePoolStep[] = [defineStep(label, { name }, poolToXml(manifest, liveXml))];
  const build = buildStep(manifest);
  if (build) steps.push(build);
  steps.push(startStep(label, { name }));
  if (manifest.spec.autostart) steps.push(setAutostartStep(label, { name }, true));
  return steps;
}

function planUpdate(id: ChangeIdentity<'StoragePool'>, manifest: StoragePoolManifest, live: PoolLive): ResourceChange<'StoragePool'> {
  const name = manifest.metadata.name;
  const label = `pool ${name}`;
  const config = diffPool(manifest.spec, live.spec, live.xml);
  const autostart = autostartChange(manifest.spec.autostart, live.spec.autostart);
  const replaced = config.filter((c) => c.class === 'replace');
  if (replaced.length) {
    const reason = `${listPaths(replaced)} changed: the pool must be replaced`;
    const steps = [...removeSteps('pool', live), ...createSteps(manifest, undefined)];
    const refused = annotationIsTrue(manifest, ANNOTATION_ALLOW_REPLACE)
      ? undefined
      : `replacing pool ${name} (${listPaths(replaced)}) hides its volumes from libvirt; annotate ${ANNOTATION_ALLOW_REPLACE}: "true" to allow it`;
    return buildChange(id, { action: 'replace', reason, changes: [...config, ...(autostart ? [autostart] : [])], steps, refused });
  }
  const active = activeChange(live.active);
  const changes = [...config, autostart, active].filter((c): c is FieldChange => c !== undefined);
  if (changes.length === 0) return noOp(id);
  const steps: StoragePoolStep[] = [];
  if (config.length) steps.push(defineStep(label, { name }, poolToXml(manifest, live.xml)));
  if (active) steps.push(startStep(label, { name }));
  if (autostart) steps.push(setAutostartStep(label, { name }, autostart.after as boolean));
  const restartRequired = config.length > 0 && live.active;
  const reason = updateReason(
    config,
    restartRequired,
    autostart ? 'autostart differs' : undefined,
    active ? 'pool is inactive' : undefined,
  );
  return buildChange(id, { action: 'update', reason, changes, steps, restartRequired });
}

const poolPlanning: ObjectPlanAdapter<'StoragePool'> = {
  kind: 'StoragePool',
  noun: 'pool',
  deleteReason: 'pool left the manifests (its storage and volumes stay on the host)',
  deleteSteps: (live) => removeSteps('pool', live),
  dependsOn: (manifest) => dependencyKeys(storagePoolDefinition, manifest),
  // From here on the login's secret is the usage id libvirt refers to it by, as the live XML has it.
  prepare: (manifest, ctx) => resolvePoolSecrets(manifest, ctx.desired),
  createSteps: (manifest) => createSteps(manifest, undefined),
  planUpdate,
};

export function planPool(
  loaded: LoadedManifest<StoragePoolManifest> | undefined,
  live: PoolLive | undefined,
  ctx: PlanContext,
): ResourceChange<'StoragePool'> {
  return planObject(poolPlanning, loaded, live, ctx);
}
