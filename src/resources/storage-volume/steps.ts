// The steps a volume plan holds. Payloads name pool and volume; uploads name where apply reads
// the data and the Secret values, never the values.
import type { SeedImageSource } from './schema.js';
import type { NamedValueSource } from '../secret/named-source.js';
import type { StepOf } from '../types.js';

export interface VolumeRef {
  pool: string;
  name: string;
}

export type StorageVolumeStep =
  | StepOf<'createXml', VolumeRef & { xml: string }>
  | StepOf<'createXmlFrom', VolumeRef & { xml: string; fromPool: string; fromName: string }>
  | StepOf<
      'upload',
      VolumeRef & {
        url: string | undefined;
        path: string | undefined;
        sha256: string | undefined;
        capacity: number | undefined;
        headers?: Array<NamedValueSource & { header: string }>;
      }
    >
  | StepOf<
      'uploadSeed',
      VolumeRef & {
        domain: string;
        files: SeedImageSource['files'];
        sha256: string;
        secretRefs?: NonNullable<SeedImageSource['secretRefs']>;
        secrets?: NamedValueSource[];
        capacity?: number | undefined;
      }
    >
  | StepOf<'resize', VolumeRef & { capacity: number }>
  | StepOf<'delete', VolumeRef>;

// This kind's entry in the table of every kind's steps (resources/types.ts KindSteps).
declare module '../types.js' {
  interface KindSteps {
    StorageVolume: StorageVolumeStep;
  }
}
