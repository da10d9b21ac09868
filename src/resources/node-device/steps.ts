// The steps a node-device plan holds: taking a device from its host driver, and giving it back.
import type { StepOf } from '../types.js';

export type NodeDeviceStep = StepOf<'detach', { name: string; driver: string }> | StepOf<'reattach', { name: string }>;

// This kind's entry in the table of every kind's steps (resources/types.ts KindSteps).
declare module '../types.js' {
  interface KindSteps {
    NodeDevice: NodeDeviceStep;
  }
}
