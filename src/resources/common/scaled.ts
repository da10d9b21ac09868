// libvirt's scaled integers (<capacity unit='bytes'>…</capacity>): unit names and multipliers as
// libvirt's virScaleInteger accepts them, so XML written by hand or by older libvirt reads back.
const UNITS: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
  p: 1024 ** 5,
  pib: 1024 ** 5,
  pb: 1000 ** 5,
  e: 1024 ** 6,
  eib: 1024 ** 6,
  eb: 1000 ** 6,
};

/** Bytes of a scaled integer; `defaultUnit` is what the element means without a unit attribute. */
export function scaledToBytes(value: string | undefined, unit: string | undefined, defaultUnit = 'bytes'): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const multiplier = UNITS[(unit ?? defaultUnit).toLowerCase()];
  const n = Number(value.trim());
  if (multiplier === undefined || !Number.isFinite(n)) return undefined;
  return n * multiplier;
}
