// The table bench:peers prints: one row per figure with its value, the target and ok/MISS.
// Every figure is printed before the exit code is decided, so one miss never hides the others.

export interface Figure {
  name: string;
  /** The measured value as shown (already formatted with its unit). */
  value: string;
  target: string;
  ok: boolean;
  /** Extra context: the raw times, an aim, why it could not be measured. */
  note?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'n/a');
export const ratio = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a');

export function printTable(figures: readonly Figure[]): void {
  const head = { name: 'figure', value: 'value', target: 'target', ok: 'result' };
  const rows = figures.map((f) => ({ name: f.name, value: f.value, target: f.target, ok: f.ok ? 'ok' : 'MISS' }));
  const width = (key: keyof typeof head): number => Math.max(head[key].length, ...rows.map((r) => r[key].length));
  const w = { name: width('name'), value: width('value'), target: width('target') };
  const line = (r: typeof head): string => `${r.name.padEnd(w.name)}  ${r.value.padStart(w.value)}  ${r.target.padEnd(w.target)}  ${r.ok}`;
  console.log(line(head));
  console.log('-'.repeat(w.name + w.value + w.target + 12));
  figures.forEach((f, i) => {
    console.log(line(rows[i]!));
    if (f.note) console.log(`${' '.repeat(w.name + 2)}  ${f.note}`);
  });
}
