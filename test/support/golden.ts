// Golden files: generated output compared with a checked-in copy. A mismatch fails; run with
// UPDATE_GOLDEN=1 to rewrite the files after reviewing the change.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/** Compares `actual` with the file at `file` (relative to the repo root or absolute). */
export function expectGolden(file: string, actual: string): void {
  const abs = path.resolve(file);
  if (UPDATE_GOLDEN) {
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, actual);
    return;
  }
  if (!existsSync(abs)) {
    throw new Error(`golden file ${file} is missing: run with UPDATE_GOLDEN=1 to create it`);
  }
  expect(actual, `golden file ${file} differs (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(abs, 'utf8'));
}
