// The steps a pool plan holds: its lifecycle, and virStoragePoolBuild.
import type { LifecycleStep } from '../common/lifecycle-steps.js';
import type { StepOf } from '../types.js';

export type PoolBuildStep = StepOf<'build', { name: string; noOverwrite: boolean }>;

export type StoragePoolStep = LifecycleStep | PoolBuildStep;

// This kind's entry in the table of every kind's steps (resources/types.ts KindSteps).
declare module '../types.js' {
  interface KindSteps {
    StoragePool: StoragePoolStep;
  }
}
