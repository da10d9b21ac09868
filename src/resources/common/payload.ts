// Step payloads are plain JSON (a printed plan is exactly what apply runs); execute() reads them
// back through these checks so a malformed or hand-edited plan fails loudly, not halfway.
import type { Step } from '../types.js';

export class StepPayloadError extends Error {
  override name = 'StepPayloadError';
}

export function payloadString(step: Step, field: string): string {
  const v = step.payload?.[field];
  if (typeof v !== 'string') throw new StepPayloadError(`step ${step.op}: payload.${field} must be a string`);
  return v;
}

export function payloadOptionalString(step: Step, field: string): string | undefined {
  const v = step.payload?.[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new StepPayloadError(`step ${step.op}: payload.${field} must be a string`);
  return v;
}

export function payloadNumber(step: Step, field: string): number {
  const v = step.payload?.[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StepPayloadError(`step ${step.op}: payload.${field} must be a number`);
  return v;
}

export function payloadBoolean(step: Step, field: string): boolean {
  const v = step.payload?.[field];
  if (typeof v !== 'boolean') throw new StepPayloadError(`step ${step.op}: payload.${field} must be a boolean`);
  return v;
}

/**
 * A flag a step may leave out: absent means false. Anything but a boolean is an error, so a
 * hand-edited "true" (a string) is refused instead of quietly read as false.
 */
export function payloadFlag(step: Step, field: string): boolean {
  const v = step.payload?.[field];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new StepPayloadError(`step ${step.op}: payload.${field} must be a boolean`);
  return v;
}

/** A number a step may leave out (undefined then); anything but a finite number is an error. */
export function payloadOptionalNumber(step: Step, field: string): number | undefined {
  const v = step.payload?.[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StepPayloadError(`step ${step.op}: payload.${field} must be a number`);
  return v;
}

export function unknownStep(kind: string, step: Step): Error {
  return new StepPayloadError(`${kind}: unknown step op "${step.op}"`);
}
