// The steps a domain plan holds. Live changes (memory, vCPUs, devices) say whether they reach
// the running guest, the persistent config, or both.
import type { StepOf } from '../types.js';
import type { PasswordSource } from './passwords.js';

/** Where a live change goes: the running guest and/or the persistent config. */
export interface Impact {
  live: boolean;
  config: boolean;
}

export type DomainDefineStep = StepOf<'define', { xml: string; passwords?: PasswordSource[] }>;
export type DomainUndefineStep = StepOf<
  'undefine',
  { managedSave: boolean; snapshotsMetadata: boolean; checkpointsMetadata: boolean; nvram?: boolean; keepNvram?: boolean }
>;
export type DomainStartStep = StepOf<'start', { paused: true } | undefined>;
export type DomainShutdownStep = StepOf<'shutdown', { timeoutMs: number }>;
export type DomainSetMetadataStep = StepOf<'setMetadata', Impact & { type: 'title' | 'description'; value: string | null }>;
export type DomainDetachStep = StepOf<
  'detachDevice',
  Impact & ({ device: 'disk'; target: string } | { device: 'interface'; mac: string | undefined }) & { xml: string; timeoutMs: number }
>;

export type DomainStep =
  | DomainDefineStep
  | DomainUndefineStep
  | DomainStartStep
  | DomainShutdownStep
  | StepOf<'destroy'>
  | StepOf<'suspend'>
  | StepOf<'resume'>
  | StepOf<'managedSave'>
  | StepOf<'discardSave'>
  | StepOf<'setAutostart', { autostart: boolean }>
  | DomainSetMetadataStep
  | StepOf<'setMemory', Impact & { kib: number }>
  | StepOf<'setVcpus', Impact & { count: number }>
  | StepOf<'attachDevice', Impact & { xml: string }>
  | StepOf<'updateDevice', Impact & { xml: string }>
  | DomainDetachStep;

export type DomainStepOp = DomainStep['op'];

// This kind's entry in the table of every kind's steps (resources/types.ts KindSteps).
declare module '../types.js' {
  interface KindSteps {
    Domain: DomainStep;
  }
}
