// The steps a secret plan holds. Secrets have no name: undefine and setValue find theirs by
// usage; setValue names where apply reads the value, never the value.
import type { SecretValueFrom } from './schema.js';
import type { StepOf } from '../types.js';

export interface SecretUsagePayload {
  usageType: string;
  usageId: string;
}

export type SecretStep =
  | StepOf<'define', { xml: string }>
  | StepOf<'undefine', SecretUsagePayload>
  | StepOf<'setValue', SecretUsagePayload & { valueFrom: SecretValueFrom; encoding: 'raw' | 'base64' }>;

// This kind's entry in the table of every kind's steps (resources/types.ts KindSteps).
declare module '../types.js' {
  interface KindSteps {
    Secret: SecretStep;
  }
}
