// Step payloads are plain JSON (a printed plan is exactly what apply runs); execute() reads them
// back through these checks so a malformed or hand-edited plan fails loudly, not halfway.

/**
 * What the checks read: a step of any kind. Its payload type says what the plan put there; the
 * checks read the same fields again as plain JSON, trusting nothing.
 */
export interface PayloadCarrier {
  readonly op: string;
  readonly payload?: object | undefined;
}

/** One payload field as JSON, undefined when absent. */
export function payloadField(step: PayloadCarrier, field: string): unknown {
  if (step.payload === undefined) return undefined;
  const value: unknown = Reflect.get(step.payload, field);
  return value;
}

export class StepPayloadError extends Error {
  override name = 'StepPayloadError';
}

export function payloadString(step: PayloadCarrier, field: string): string {
  const v = payloadField(step, field);
  if (typeof v !== 'string') throw new StepPayloadError(`step ${step.op}: payload.${field} must be a string`);
  return v;
}

export function payloadOptionalString(step: PayloadCarrier, field: string): string | undefined {
  const v = payloadField(step, field);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new StepPayloadError(`step ${step.op}: payload.${field} must be a string`);
  return v;
}

export function payloadNumber(step: PayloadCarrier, field: string): number {
  const v = payloadField(step, field);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StepPayloadError(`step ${step.op}: payload.${field} must be a number`);
  return v;
}

export function payloadBoolean(step: PayloadCarrier, field: string): boolean {
  const v = payloadField(step, field);
  if (typeof v !== 'boolean') throw new StepPayloadError(`step ${step.op}: payload.${field} must be a boolean`);
  return v;
}

/**
 * A flag a step may leave out: absent means false. Anything but a boolean is an error, so a
 * hand-edited "true" (a string) is refused instead of quietly read as false.
 */
export function payloadFlag(step: PayloadCarrier, field: string): boolean {
  const v = payloadField(step, field);
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new StepPayloadError(`step ${step.op}: payload.${field} must be a boolean`);
  return v;
}

/** A number a step may leave out (undefined then); anything but a finite number is an error. */
export function payloadOptionalNumber(step: PayloadCarrier, field: string): number | undefined {
  const v = payloadField(step, field);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StepPayloadError(`step ${step.op}: payload.${field} must be a number`);
  return v;
}

export function unknownStep(kind: string, step: PayloadCarrier): Error {
  return new StepPayloadError(`${kind}: unknown step op "${step.op}"`);
}
