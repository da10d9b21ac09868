// A step's payload as plain JSON, for tests that look at one field of whichever step a plan
// holds (the typed union only lets a test read fields every step of the kind has).
export function payloadOf(step: { payload?: object | undefined }): Readonly<Record<string, unknown>> {
  return Object.fromEntries(Object.entries(step.payload ?? {}));
}

/**
 * A step as a hand-edited plan could hold it: any op, any payload. Its type is the kind's on
 * purpose, because that is what execute() would be handed; the payload checks are what stand
 * between such a step and libvirt.
 */
export function handEdited<S>(step: { op: string; description: string; payload?: Record<string, unknown> }): S {
  const parsed: unknown = JSON.parse(JSON.stringify(step));
  return parsed as S;
}
