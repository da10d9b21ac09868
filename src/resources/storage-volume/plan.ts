// Pure planning of one storage volume. Anything that loses the volume's data — replacing it
// (format/backing store change) or deleting it — is refused unless explicitly annotated:
// replace needs virtkeeper.io/allow-replace: "true" on the volume; delete (prune) needs
// virtkeeper.io/allow-delete: "true" on the volume's pool manifest, because a pruned volume's
// own manifest is gone and cannot carry the annotation any more.
import { redactUrl } from '../../manifests/redact-url.js';
import type { SeedImageSource, StorageVolumeManifest } from './schema.js';
import type { IdentityKey, LoadedManifest } from '../../manifests/types.js';
import { kindKey } from '../../manifests/keys.js';
import { volumeKey } from './key.js';
import type { FieldChange, LiveResource, PlanContext, ResourceChange, SecretValueState } from '../types.js';
import type { StorageVolumeStep } from './steps.js';
import { formatSize } from '../../manifests/units.js';
import { ANNOTATION_ALLOW_DELETE, ANNOTATION_ALLOW_REPLACE, annotationIsTrue } from '../common/annotations.js';
import { buildChange, createChanges, listPaths, noOp, type ChangeIdentity } from '../common/change.js';
import { diffVolume } from './diff.js';
import { desiredCapacity, volumeToXml } from './to-xml.js';
import { isSeedVolumeName } from '../../cloud-init/domain-seed.js';
import { seedSecretDigestKey } from '../../cloud-init/seed-secrets.js';
import { namedValueSources } from '../secret/named-source.js';
import { dependencyKeys, liveReferenceKeys } from '../contract.js';
import { storageVolumeDefinition } from './contract.js';
import { SENSITIVE, SENSITIVE_CHANGED } from '../secret/plan.js';

type VolumeLive = LiveResource<'StorageVolume'>;

function label(pool: string, name: string): string {
  return `volume ${pool}/${name}`;
}

function createSteps(manifest: StorageVolumeManifest, ctx: PlanContext): StorageVolumeStep[] {
  const { pool, cloneFrom, source } = manifest.spec;
  const name = manifest.metadata.name;
  const xml = volumeToXml(manifest, ctx);
  const steps: StorageVolumeStep[] = [];
  if (cloneFrom) {
    const fromPool = cloneFrom.pool ?? pool;
    steps.push({
      op: 'createXmlFrom',
      description: `create ${label(pool, name)} as a copy of ${fromPool}/${cloneFrom.name}`,
      payload: { pool, name, xml, fromPool, fromName: cloneFrom.name },
    });
  } else {
    steps.push({ op: 'createXml', description: `create ${label(pool, name)}`, payload: { pool, name, xml } });
  }
  if (source?.seed) {
    // The step carries the seed's files, not the image: the image is rebuilt from them at upload
    // (deterministically) and checked against sha256, so what the plan shows is what is written.
    steps.push(uploadSeedStep(manifest, source.seed, source.sha256 ?? '', ctx));
  } else if (source) {
    // The capacity lets apply refuse a too-large local file before creating anything, and grow a
    // qcow2 volume whose uploaded image declares a smaller virtual size.
    const capacity = desiredCapacity(manifest, ctx);
    // Header values are Secret values: the step names where apply reads them, never the values.
    const headers = (source.headers ?? []).map((h) => ({
      header: h.name,
      ...namedValueSources([h.secret], ctx.desired, `source.headers ${h.name}`)[0]!,
    }));
    const withHeaders = headers.length > 0 ? ` with ${headers.map((h) => `${h.header} from Secret ${h.secret}`).join(', ')}` : '';
    steps.push({
      op: 'upload',
      description: `upload ${source.url !== undefined ? redactUrl(source.url) : source.path}${withHeaders} into ${label(pool, name)}`,
      payload: {
        pool,
        name,
        url: source.url,
        path: source.path,
        sha256: source.sha256,
        capacity,
        ...(headers.length > 0 ? { headers } : {}),
      },
    });
  }
  return steps;
}

/**
 * Writes the seed: its files, and where apply reads the Secret values that replace their
 * placeholders (never the values), padded with zeros to the volume's capacity so that a rewrite
 * leaves nothing of an earlier, longer image.
 */
function uploadSeedStep(
  manifest: StorageVolumeManifest,
  seed: SeedImageSource,
  sha256: string,
  ctx: PlanContext,
  verb = 'write',
): StorageVolumeStep {
  const { pool } = manifest.spec;
  const name = manifest.metadata.name;
  const refs = seed.secretRefs ?? [];
  const values = refs.length > 0 ? ` with the values of Secret ${[...new Set(refs.map((r) => r.secret))].join(', ')}` : '';
  return {
    op: 'uploadSeed',
    description: `${verb} the cloud-init seed of Domain/${seed.domain} (${seed.files.map((f) => f.name).join(', ')})${values} into ${label(pool, name)}`,
    payload: {
      pool,
      name,
      domain: seed.domain,
      files: seed.files,
      sha256,
      ...(refs.length > 0
        ? {
            secretRefs: refs,
            secrets: namedValueSources(
              refs.map((r) => r.secret),
              ctx.desired,
              'cloudInit secretRefs',
            ),
            capacity: desiredCapacity(manifest, ctx),
          }
        : {}),
    },
  };
}

/** Each Secret whose value the seed holds, with what plan found about the value written there. */
function seedSecretStates(
  key: IdentityKey,
  seed: SeedImageSource,
  ctx: PlanContext,
): Array<{ path: string; state: SecretValueState | undefined }> {
  return [...new Set((seed.secretRefs ?? []).map((r) => r.secret))].map((secret) => ({
    path: `seed.secrets[${secret}]`,
    state: ctx.secretValues?.get(seedSecretDigestKey(key, secret)),
  }));
}

/**
 * The Secret values in a seed, told by the digests recorded when apply wrote them: one line per
 * Secret whose value changed or was never recorded as written (then the seed is written again),
 * and a note for values that cannot be read here.
 */
function seedSecretChanges(key: IdentityKey, seed: SeedImageSource, ctx: PlanContext): { changes: FieldChange[]; note: string } {
  const changes: FieldChange[] = [];
  const unreadable: string[] = [];
  for (const { path, state } of seedSecretStates(key, seed, ctx)) {
    if (state?.state === 'changed') changes.push({ path, before: SENSITIVE, after: SENSITIVE_CHANGED, class: 'live' });
    else if (state?.state === 'unrecorded')
      changes.push({ path, after: SENSITIVE, class: 'live', reason: 'no digest of the value is recorded, so apply writes the seed again' });
    else if (state?.state === 'unreadable') unreadable.push(state.reason);
  }
  return { changes, note: unreadable.length > 0 ? `; value not compared: ${unreadable.join('; ')}` : '' };
}

function deleteStep(pool: string, name: string): StorageVolumeStep {
  return { op: 'delete', description: `delete ${label(pool, name)} and its data`, payload: { pool, name } };
}

/** Why a seed volume is created: which domain's seed, and what cloud-init will make of it. */
function seedReason(manifest: StorageVolumeManifest): string | undefined {
  const seed = manifest.spec.source?.seed;
  if (!seed) return undefined;
  return `new cloud-init seed of Domain/${seed.domain} (instance-id ${seed.instanceId}); cloud-init runs its per-instance modules again only when the instance-id is new`;
}

/**
 * A seed's files as the plan shows them: against the seed the domain's cdrom holds now when the
 * state store knows its files (only what changed), else each file with its text.
 */
function seedChanges(seed: SeedImageSource, ctx: PlanContext): FieldChange[] {
  const previous = previousSeedFiles(seed.domain, ctx);
  if (!previous) return seed.files.map((f) => ({ path: `seed.${f.name}`, after: f.text, class: 'redefine' as const }));
  const before = new Map(previous.map((f) => [f.name, f.text]));
  const after = new Map(seed.files.map((f) => [f.name, f.text]));
  const changes: FieldChange[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    if (before.get(name) === after.get(name)) continue;
    changes.push({
      path: `seed.${name}`,
      ...(before.has(name) ? { before: before.get(name) } : {}),
      ...(after.has(name) ? { after: after.get(name) } : {}),
      class: 'redefine',
    });
  }
  return changes;
}

/** A new seed's Secret values: one line each, and whether apply can read it. */
function seedValueLines(key: IdentityKey, seed: SeedImageSource, ctx: PlanContext): FieldChange[] {
  return seedSecretStates(key, seed, ctx).map(({ path, state }) => ({
    path,
    after: SENSITIVE,
    class: 'redefine' as const,
    ...(state?.state === 'unreadable' ? { reason: `apply will fail unless the value can be read: ${state.reason}` } : {}),
  }));
}

/** Files of the seed on the live domain's cdrom, when virtkeeper wrote it and recorded them. */
function previousSeedFiles(domain: string, ctx: PlanContext): SeedImageSource['files'] | undefined {
  const live = ctx.live.get(kindKey('Domain', domain)) as LiveResource<'Domain'> | undefined;
  for (const disk of live?.kind === 'Domain' ? (live.spec.disks ?? []) : []) {
    if (disk.device !== 'cdrom' || !disk.volume || !isSeedVolumeName(disk.volume.name, domain)) continue;
    const files = ctx.seeds?.get(volumeKey(disk.volume.pool, disk.volume.name))?.files;
    if (files) return files;
  }
  return undefined;
}

function planDelete(id: ChangeIdentity<'StorageVolume'>, live: VolumeLive, ctx: PlanContext): ResourceChange<'StorageVolume'> {
  const pool = live.spec.pool;
  if (ctx.supersededSeeds?.has(id.key)) {
    // Only a rendering of the manifests is lost (the planner checked that virtkeeper created it).
    return buildChange(id, {
      action: 'delete',
      reason: 'replaced by a newer cloud-init seed of its domain',
      steps: [deleteStep(pool, live.name)],
    });
  }
  const poolManifest = ctx.desired.byKey.get(kindKey('StoragePool', pool))?.manifest;
  const allowed = annotationIsTrue(poolManifest, ANNOTATION_ALLOW_DELETE);
  return buildChange(id, {
    action: 'delete',
    reason: 'volume left the manifests',
    steps: [deleteStep(pool, live.name)],
    refused: allowed
      ? undefined
      : `deleting ${label(pool, live.name)} destroys its data; annotate pool ${pool} with ${ANNOTATION_ALLOW_DELETE}: "true" to allow pruning its volumes`,
  });
}

function planUpdate(
  id: ChangeIdentity<'StorageVolume'>,
  manifest: StorageVolumeManifest,
  live: VolumeLive,
  ctx: PlanContext,
): ResourceChange<'StorageVolume'> {
  const { pool } = manifest.spec;
  const name = manifest.metadata.name;
  const d = diffVolume(manifest, live, ctx);
  const seed = manifest.spec.source?.seed;
  if (seed?.secretRefs && d.changes.length === 0) {
    // The files are the same (the volume's name is their digest); a value in them may not be.
    const values = seedSecretChanges(id.key, seed, ctx);
    if (values.changes.length === 0) return noOp(id, `in sync${values.note}`);
    return buildChange(id, {
      action: 'update',
      reason: `a Secret value in the cloud-init seed changed${values.note}; the seed is written again in place, and the guest reads it at its next boot (cloud-init acts on a new instance-id only)`,
      changes: values.changes,
      steps: [uploadSeedStep(manifest, seed, manifest.spec.source?.sha256 ?? '', ctx, 'rewrite')],
    });
  }
  if (d.changes.length === 0) return noOp(id);
  const replaced = d.changes.filter((c) => c.class === 'replace');
  if (replaced.length) {
    const allowed = annotationIsTrue(manifest, ANNOTATION_ALLOW_REPLACE);
    return buildChange(id, {
      action: 'replace',
      reason: `${listPaths(replaced)} changed: the volume must be recreated (its data is lost)`,
      changes: d.changes,
      steps: [deleteStep(pool, name), ...createSteps(manifest, ctx)],
      refused: allowed
        ? undefined
        : `recreating ${label(pool, name)} destroys its data; annotate it ${ANNOTATION_ALLOW_REPLACE}: "true" to allow it`,
    });
  }
  if (d.shrink) {
    return buildChange(id, {
      action: 'update',
      reason: `capacity ${formatSize(d.shrink.from)} → ${formatSize(d.shrink.to)}`,
      changes: d.changes,
      refused: `volumes are never shrunk: ${label(pool, name)} is ${formatSize(d.shrink.from)}, the manifest asks for ${formatSize(d.shrink.to)}`,
    });
  }
  const steps: StorageVolumeStep[] = [];
  if (d.growTo !== undefined) {
    steps.push({
      op: 'resize',
      description: `grow ${label(pool, name)} to ${formatSize(d.growTo)}`,
      payload: { pool, name, capacity: d.growTo },
    });
  }
  return buildChange(id, { action: 'update', reason: `${listPaths(d.changes)} changed`, changes: d.changes, steps });
}

export function planVolume(
  desired: LoadedManifest<StorageVolumeManifest> | undefined,
  live: VolumeLive | undefined,
  ctx: PlanContext,
): ResourceChange<'StorageVolume'> {
  const pool = desired?.manifest.spec.pool ?? live?.spec.pool ?? '';
  const name = desired?.manifest.metadata.name ?? live?.name ?? '';
  const id: ChangeIdentity<'StorageVolume'> = {
    key: desired?.key ?? live?.key ?? volumeKey(pool, name),
    kind: 'StorageVolume',
    name,
    dependsOn: desired
      ? dependencyKeys(storageVolumeDefinition, desired.manifest)
      : live
        ? liveReferenceKeys(storageVolumeDefinition, live)
        : [],
  };
  if (!desired) return live ? planDelete(id, live, ctx) : noOp(id, 'absent on both sides');
  if (!live) {
    const poolLive = ctx.live.get(kindKey('StoragePool', pool));
    const reason =
      poolLive && !poolLive.active
        ? `pool ${pool} is inactive, so its volumes could not be listed; the volume is created once the pool starts`
        : (seedReason(desired.manifest) ?? 'volume does not exist');
    const spec = desired.manifest.spec;
    const seed = spec.source?.seed;
    const changes = seed
      ? [...createChanges({ ...spec, pool: undefined, source: undefined }), ...seedChanges(seed, ctx), ...seedValueLines(id.key, seed, ctx)]
      : createChanges({ ...spec, pool: undefined });
    return buildChange(id, { action: 'create', reason, changes, steps: createSteps(desired.manifest, ctx) });
  }
  return planUpdate(id, desired.manifest, live, ctx);
}
