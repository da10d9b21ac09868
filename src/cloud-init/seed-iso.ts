// A NoCloud seed as an ISO image: the rendered files in a cidata volume. What the Domain kind will
// upload into a volume and attach as a read-only cdrom (see docs/cloud-init.md).
import { buildIso } from '../iso/index.js';
import { NOCLOUD_LABEL, renderNoCloud, type NoCloudInput } from './nocloud.js';

export interface NoCloudSeedImage {
  instanceId: string;
  image: Uint8Array;
}

/**
 * `date` stamps every record of the image. Pass a fixed value (not the clock): the same input and
 * date give the same bytes, so the seed's digest tells whether the volume needs a new upload.
 */
export function buildNoCloudSeedIso(input: NoCloudInput, date: Date): NoCloudSeedImage {
  const seed = renderNoCloud(input);
  return { instanceId: seed.instanceId, image: buildIso({ volumeId: NOCLOUD_LABEL, files: seed.files, date }) };
}
