// How the façade reads a failed call: the libvirt error code of a rejection, and "null instead of
// this error" for lookups. Structural on `code` so any LibvirtError-shaped failure counts.

/** The virErrorNumber of a failure, if it carries one. */
export function errorCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** Resolves null when the call fails with one of `codes`; any other failure propagates. */
export async function orNull<T>(p: Promise<T>, ...codes: number[]): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    const code = errorCode(err);
    if (code !== undefined && codes.includes(code)) return null;
    throw err;
  }
}
