// The steps a network plan holds: its lifecycle, and virNetworkUpdate of a running network.
import type { LifecycleStep } from '../common/lifecycle-steps.js';
import type { StepOf } from '../types.js';

export type NetworkUpdateStep = StepOf<
  'networkUpdate',
  { name: string; command: string; section: string; parentIndex: number; xml: string; affectLive: boolean; affectConfig: boolean }
>;

export type NetworkStep = LifecycleStep | NetworkUpdateStep;

// This kind's entry in the table of every kind's steps (resources/types.ts KindSteps).
declare module '../types.js' {
  interface KindSteps {
    Network: NetworkStep;
  }
}
