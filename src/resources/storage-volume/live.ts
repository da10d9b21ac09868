// I/O: reading volumes of every active pool (an inactive pool cannot list its volumes) and
// carrying out planned steps.
import { redactUrl, redactUrlsIn } from '../../manifests/redact-url.js';
import type { LibvirtClient, StorageVolumeRef, UploadResult } from '../../libvirt/client.js';
import { volumeKey } from './key.js';
import { formatBytes } from '../../manifests/units.js';
import { hasErrorCode, VIR_ERR_NO_STORAGE_POOL, VIR_ERR_NO_STORAGE_VOL, VIR_ERR_STORAGE_VOL_EXIST } from '../../libvirt/errors.js';
import { withPool } from './pool-refs.js';
import { mapBounded, READ_CONCURRENCY, unlessGone } from '../common/bounded.js';
import type { LiveResource, ResourceChange, StepProgress, StepRecords } from '../types.js';
import type { StorageVolumeStep } from './steps.js';
import { payloadField, payloadNumber, payloadOptionalString, payloadString, StepPayloadError, unknownStep } from '../common/payload.js';
import { checkedContent, checksumProblem, sizeProblem, VolumeContentError } from './content-check.js';
import { buildSeedImage, buildSeedImageOf } from '../../cloud-init/domain-seed.js';
import { SeedSecretError, seedSecretDigestKey, substituteSecrets } from '../../cloud-init/seed-secrets.js';
import type { CloudInitSecretRef } from '../domain/schema.js';
import type { SeedImageSource } from './schema.js';
import { newSecretDigest } from '../secret/digest.js';
import { checkedNamedValueSources, withNamedValues, type NamedValueSource } from '../secret/named-source.js';
import { createHash } from 'node:crypto';
import { volumeFromXml } from './from-xml.js';
import { localSourceSize, openUploadSource, type UploadSourceSpec } from './upload-source.js';

export async function readVolumes(client: LibvirtClient): Promise<Array<LiveResource<'StorageVolume'>>> {
  const pools = await client.listStoragePools({ active: true });
  const perPool = await mapBounded(pools, READ_CONCURRENCY, async (pool) => {
    const refs = await unlessGone(client.listStorageVolumes(pool), VIR_ERR_NO_STORAGE_POOL);
    return refs && mapBounded(refs, READ_CONCURRENCY, (ref) => unlessGone(readOne(client, pool.name, ref), VIR_ERR_NO_STORAGE_VOL));
  });
  return perPool.flat();
}

/** One volume by "pool/name", undefined when there is none (or its pool is not active). */
export async function readVolume(client: LibvirtClient, poolAndName: string): Promise<LiveResource<'StorageVolume'> | undefined> {
  const slash = poolAndName.indexOf('/');
  const poolName = poolAndName.slice(0, slash);
  const name = poolAndName.slice(slash + 1);
  const pool = await client.lookupStoragePool(poolName);
  if (!pool || !(await client.isStoragePoolActive(pool))) return undefined;
  const ref = await client.lookupStorageVolume(pool, name);
  return ref ? unlessGone(readOne(client, poolName, ref), VIR_ERR_NO_STORAGE_VOL) : undefined;
}

async function readOne(client: LibvirtClient, pool: string, ref: StorageVolumeRef): Promise<LiveResource<'StorageVolume'>> {
  const xml = await client.getStorageVolumeXml(ref);
  return {
    key: volumeKey(pool, ref.name),
    kind: 'StorageVolume',
    name: ref.name,
    xml,
    spec: volumeFromXml(xml, { pool }),
    active: true,
    persistent: true,
    markedOwned: false,
  };
}

/** Uploading spec.source failed; the message says what happened to the volume. */
export class VolumeUploadError extends Error {
  override name = 'VolumeUploadError';
}

async function volumeRef(client: LibvirtClient, step: StorageVolumeStep): Promise<StorageVolumeRef> {
  return withPool(client, payloadString(step, 'pool'), (pool) => client.getStorageVolume(pool, payloadString(step, 'name')));
}

async function createVolume(step: StorageVolumeStep, change: ResourceChange<'StorageVolume'>, client: LibvirtClient): Promise<void> {
  const upload = change.steps.find((s) => s.op === 'upload');
  if (upload) await checkLocalSourceFits(upload, change);
  const xml = payloadString(step, 'xml');
  try {
    if (step.op === 'createXml') {
      await withPool(client, payloadString(step, 'pool'), (pool) => client.createStorageVolume(pool, xml));
    } else {
      const from = await withPool(client, payloadString(step, 'fromPool'), (pool) =>
        client.getStorageVolume(pool, payloadString(step, 'fromName')),
      );
      await withPool(client, payloadString(step, 'pool'), (pool) => client.cloneStorageVolume(pool, xml, from));
    }
  } catch (err) {
    // libvirt never overwrites a volume; a plan that thought it absent (its pool was inactive
    // when planned, so its volumes were unknown) is simply out of date.
    // The storage driver says VIR_ERR_STORAGE_VOL_EXIST; others (libvirt's test driver) only
    // OPERATION_FAILED, so a failed create also looks the name up.
    if (
      hasErrorCode(err, VIR_ERR_STORAGE_VOL_EXIST) ||
      (await volumeExists(client, payloadString(step, 'pool'), payloadString(step, 'name')))
    ) {
      throw new Error(`${change.key}: volume already exists (its pool was probably inactive when planned); plan again`, { cause: err });
    }
    throw err;
  }
}

async function volumeExists(client: LibvirtClient, pool: string, name: string): Promise<boolean> {
  try {
    await withPool(client, pool, (p) => client.getStorageVolume(p, name));
    return true;
  } catch {
    return false; // absent, or not knowable: the create's own error is the one to report
  }
}

function uploadSpec(step: StorageVolumeStep): UploadSourceSpec {
  const path = payloadOptionalString(step, 'path');
  const url = payloadOptionalString(step, 'url');
  if (path !== undefined && url === undefined) return { path };
  if (url !== undefined && path === undefined) return { url };
  throw new StepPayloadError(`step ${step.op}: payload needs exactly one of path and url`);
}

/** The step's Secret-valued request headers (name → where the value is read), checked. */
function uploadHeaderSources(step: StorageVolumeStep): Array<NamedValueSource & { header: string }> {
  const where = `step ${step.op}: payload.headers`;
  const list = payloadField(step, 'headers');
  const sources = checkedNamedValueSources(list, where);
  return sources.map((source, i) => {
    const header = (list as Array<{ header?: unknown }>)[i]?.header;
    if (typeof header !== 'string') throw new StepPayloadError(`${where}[${i}].header must be a header name`);
    return { ...source, header };
  });
}

function optionalCapacity(step: StorageVolumeStep): bigint | undefined {
  return payloadField(step, 'capacity') === undefined ? undefined : BigInt(payloadNumber(step, 'capacity'));
}

/**
 * A local file that is missing or larger than the volume fails before the volume is created;
 * a URL's size is only known once the download starts (see uploadContent).
 */
async function checkLocalSourceFits(upload: StorageVolumeStep, change: ResourceChange<'StorageVolume'>): Promise<void> {
  const spec = uploadSpec(upload);
  if (spec.path === undefined) return;
  const capacity = optionalCapacity(upload);
  let problem: string | undefined;
  try {
    const size = await localSourceSize(spec.path);
    problem = capacity === undefined ? undefined : sizeProblem(spec.path, size, capacity);
  } catch (err) {
    problem = (err as Error).message;
  }
  if (problem) throw new VolumeUploadError(`${change.key}: ${problem}; nothing was created`);
}

/** Streams the source into the volume, checked against its capacity and checksum on the way. */
async function transfer(
  client: LibvirtClient,
  ref: StorageVolumeRef,
  spec: UploadSourceSpec,
  sha256: string | undefined,
  progress?: StepProgress,
  headers: ReadonlyArray<NamedValueSource & { header: string }> = [],
): Promise<void> {
  const { capacityBytes } = await client.getStorageVolumeInfo(ref);
  // Header values live only until the response has started: fetch copies them into its request.
  const source = await withNamedValues(headers, (values) =>
    openUploadSource(
      spec,
      headers.map((h) => ({ name: h.header, value: values.get(h.secret)! })),
    ),
  );
  try {
    const tooBig = source.sizeBytes === undefined ? undefined : sizeProblem(source.label, source.sizeBytes, capacityBytes);
    if (tooBig) throw new VolumeContentError(tooBig);
    const body = checkedContent(source.body, { label: source.label, capacityBytes, sha256 });
    const report = uploadReporter(source.label, source.sizeBytes, progress);
    // Sparse: blocks of zeros go as holes, so a 2 GiB image holding 300 MiB sends about 300 MiB.
    const sent = await client.uploadStorageVolume(ref, body, { length: source.sizeBytes ?? 0n, sparse: true, onProgress: report.progress });
    report.done(sent);
  } finally {
    source.close();
  }
}

/** How often an upload says how far it is. */
const UPLOAD_REPORT_MS = 2000;

/** Progress lines for an upload: how far, every few seconds, and at the end what was sent and skipped. */
function uploadReporter(label: string, total: bigint | undefined, progress: StepProgress | undefined) {
  let last = performance.now();
  const of = total === undefined ? '' : ` of ${formatBytes(total)}`;
  return {
    progress(done: bigint): void {
      const now = performance.now();
      if (!progress || now - last < UPLOAD_REPORT_MS) return;
      last = now;
      progress(`uploading ${label}: ${formatBytes(done)}${of}`);
    },
    done(sent: UploadResult): void {
      progress?.(`uploaded ${label}: ${formatBytes(sent.bytes)} sent, ${formatBytes(sent.holeBytes)} skipped as holes`);
    },
  };
}

/**
 * An uploaded qcow2 image brings its own virtual size, usually smaller than the manifest's
 * capacity (a 2 GiB cloud image for a 20 GiB disk): grow it now rather than in the next plan.
 */
async function growToCapacity(client: LibvirtClient, ref: StorageVolumeRef, capacity: bigint | undefined): Promise<void> {
  if (capacity === undefined) return;
  const { capacityBytes } = await client.getStorageVolumeInfo(ref);
  if (capacityBytes < capacity) await client.resizeStorageVolume(ref, capacity);
}

/** True when this change created the volume before this step: only then may a failed upload delete it. */
function createdBefore(step: StorageVolumeStep, change: ResourceChange<'StorageVolume'>): boolean {
  const index = change.steps.indexOf(step);
  return index > 0 && change.steps.slice(0, index).some((s) => s.op === 'createXml' || s.op === 'createXmlFrom');
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * A volume whose upload failed must not stay behind looking in sync (its spec matches, its
 * content does not): delete it when this change created it, so the next apply tries again.
 */
async function failedUpload(
  err: unknown,
  step: StorageVolumeStep,
  change: ResourceChange<'StorageVolume'>,
  client: LibvirtClient,
  ref: StorageVolumeRef,
): Promise<VolumeUploadError> {
  const url = payloadField(step, 'url');
  const source = typeof url === 'string' ? redactUrl(url) : step.op === 'uploadSeed' ? 'the cloud-init seed' : payloadField(step, 'path');
  const what = redactUrlsIn(`${change.key}: uploading ${String(source)} failed: ${messageOf(err)}`);
  if (!createdBefore(step, change)) {
    return new VolumeUploadError(`${what}; the volume existed before this change and was left as it is`, { cause: err });
  }
  try {
    await client.deleteStorageVolume(ref);
  } catch (cleanup) {
    return new VolumeUploadError(
      `${what}; deleting the incomplete volume failed too (${messageOf(cleanup)}): delete it by hand with virsh vol-delete --pool ${ref.pool} ${ref.name}`,
      { cause: err },
    );
  }
  return new VolumeUploadError(`${what}; the incomplete volume was deleted, so the next apply creates and uploads it again`, {
    cause: err,
  });
}

async function uploadContent(
  step: StorageVolumeStep,
  change: ResourceChange<'StorageVolume'>,
  client: LibvirtClient,
  progress?: StepProgress,
): Promise<void> {
  const spec = uploadSpec(step);
  const sha256 = payloadOptionalString(step, 'sha256');
  const ref = await volumeRef(client, step);
  try {
    await transfer(client, ref, spec, sha256, progress, uploadHeaderSources(step));
  } catch (err) {
    throw await failedUpload(err, step, change, client, ref);
  }
  await growToCapacity(client, ref, optionalCapacity(step));
}

/** The seed's files from an uploadSeed step, checked: a malformed payload is refused, not guessed at. */
function seedFiles(step: StorageVolumeStep): SeedImageSource['files'] {
  const files = payloadField(step, 'files');
  const valid =
    Array.isArray(files) &&
    files.every(
      (f: unknown) =>
        typeof f === 'object' &&
        f !== null &&
        typeof (f as { name?: unknown }).name === 'string' &&
        typeof (f as { text?: unknown }).text === 'string',
    );
  if (!valid) throw new StepPayloadError(`step ${step.op}: payload.files must be a list of {name, text}`);
  return files as SeedImageSource['files'];
}

/** The step's secretRefs, checked: a malformed payload is refused, not guessed at. */
function seedSecretRefs(step: StorageVolumeStep): CloudInitSecretRef[] {
  const refs = payloadField(step, 'secretRefs');
  if (refs === undefined) return [];
  const valid =
    Array.isArray(refs) &&
    refs.every(
      (r: unknown) =>
        typeof (r as { placeholder?: unknown } | null)?.placeholder === 'string' && typeof (r as { secret?: unknown }).secret === 'string',
    );
  if (!valid) throw new StepPayloadError(`step ${step.op}: payload.secretRefs must be a list of {placeholder, secret}`);
  return refs as CloudInitSecretRef[];
}

/**
 * Builds the seed image from the step's files and writes it; the image of the files as planned
 * (placeholders and all) must have the planned digest. Secret values go in only here, read from
 * their sources, and the image is zeroed after the upload; their salted digests are recorded per
 * seed volume and Secret, so the next plan tells a changed value.
 */
async function uploadSeed(
  step: StorageVolumeStep,
  change: ResourceChange<'StorageVolume'>,
  client: LibvirtClient,
  records?: StepRecords,
): Promise<void> {
  const files = seedFiles(step);
  const planned = buildSeedImage(files);
  const sha256 = payloadString(step, 'sha256');
  const refs = seedSecretRefs(step);
  const sources = checkedNamedValueSources(payloadField(step, 'secrets'), `step ${step.op}: payload.secrets`);
  const ref = await volumeRef(client, step);
  try {
    const problem = checksumProblem('the seed image built from the plan', sha256, createHash('sha256').update(planned).digest('hex'));
    if (problem) throw new VolumeContentError(problem);
    if (refs.length === 0) {
      await client.uploadStorageVolume(
        ref,
        (async function* () {
          yield planned;
        })(),
        { length: BigInt(planned.length) },
      );
    } else {
      await withNamedValues(sources, async (values) => {
        await uploadWithValues(client, ref, files, refs, values, payloadNumber(step, 'capacity'));
        for (const [secret, value] of values) records?.secretDigest?.(seedSecretDigestKey(change.key, secret), newSecretDigest(value));
      });
    }
  } catch (err) {
    throw await failedUpload(err, step, change, client, ref);
  }
  records?.seed?.(change.key, { domain: payloadString(step, 'domain'), sha256, files });
}

/** The image with the values put in, padded with zeros to the whole volume, then zeroed here. */
async function uploadWithValues(
  client: LibvirtClient,
  ref: StorageVolumeRef,
  files: SeedImageSource['files'],
  refs: CloudInitSecretRef[],
  values: ReadonlyMap<string, Buffer>,
  capacity: number,
): Promise<void> {
  const substituted = substituteSecrets(files, refs, values);
  const image = Buffer.from(buildSeedImageOf(substituted));
  for (const f of substituted) f.data.fill(0);
  try {
    if (image.length > capacity)
      throw new SeedSecretError(`the seed with its Secret values is ${image.length} bytes, more than the volume's ${capacity}`);
    const padding = new Uint8Array(capacity - image.length);
    await client.uploadStorageVolume(
      ref,
      (async function* () {
        yield image;
        if (padding.length > 0) yield padding;
      })(),
      { length: BigInt(capacity) },
    );
  } finally {
    image.fill(0);
  }
}

export async function executeVolumeStep(
  step: StorageVolumeStep,
  change: ResourceChange<'StorageVolume'>,
  client: LibvirtClient,
  progress?: StepProgress,
  records?: StepRecords,
): Promise<void> {
  switch (step.op) {
    case 'createXml':
    case 'createXmlFrom':
      return createVolume(step, change, client);
    case 'upload':
      return uploadContent(step, change, client, progress);
    case 'uploadSeed':
      return uploadSeed(step, change, client, records);
    case 'resize':
      return client.resizeStorageVolume(await volumeRef(client, step), BigInt(payloadNumber(step, 'capacity')));
    case 'delete':
      return client.deleteStorageVolume(await volumeRef(client, step));
    default:
      throw unknownStep('StorageVolume', step);
  }
}
