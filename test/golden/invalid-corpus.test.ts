// Every directory under test/fixtures/invalid is one invalid manifest set; its exact error
// output is pinned in test/golden/invalid/<case>.txt. UPDATE_GOLDEN=1 rewrites the goldens
// (review the diff!); otherwise any difference fails.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/manifests/errors.js';
import { loadManifests, type LoadOptions } from '../../src/manifests/loader.js';
import type * as SchemaValidatorModule from '../../src/manifests/schema-validator.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '../fixtures/invalid');
const goldens = path.join(here, 'invalid');
const update = process.env.UPDATE_GOLDEN === '1';

const cases = readdirSync(fixtures, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/** A case may pin loader limits in .case.json (hidden, so the loader never reads it as a manifest). */
function caseOptions(dir: string): LoadOptions {
  const file = path.join(dir, '.case.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LoadOptions) : {};
}

describe('invalid manifest corpus', () => {
  it('has at least 50 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it('has no golden file without a case', () => {
    const orphans = readdirSync(goldens)
      .filter((f) => f.endsWith('.txt'))
      .map((f) => f.slice(0, -4))
      .filter((name) => !cases.includes(name));
    expect(orphans).toEqual([]);
  });

  it.each(cases)('%s', async (name) => {
    const dir = path.join(fixtures, name);
    const result = await loadManifests(dir, caseOptions(dir));
    await expectSameErrorsFromBuild(dir, result.errors.map(formatError));
    expect(result.errors.length, 'an invalid case must produce errors').toBeGreaterThan(0);
    const actual = result.errors.map(formatError).join('\n') + '\n';
    const goldenFile = path.join(goldens, `${name}.txt`);
    if (update) {
      writeFileSync(goldenFile, actual);
      return;
    }
    expect(existsSync(goldenFile), `missing golden ${goldenFile}; run with UPDATE_GOLDEN=1 and review it`).toBe(true);
    expect(actual).toBe(readFileSync(goldenFile, 'utf8'));
  });
});

// The CLI runs dist/, whose schema validators were compiled by the build (ajv standalone code), not
// at run time like here: every case must come out the same through them.
const distValidatorModule = path.join(here, '../../dist/manifests/schema-validator.js');

async function expectSameErrorsFromBuild(dir: string, expected: string[]): Promise<void> {
  const mod = (await import(distValidatorModule)) as typeof SchemaValidatorModule;
  const validator = mod.precompiledValidator();
  expect(validator, 'dist/ has no precompiled validators: npm run build').toBeDefined();
  const built = await loadManifests(dir, { ...caseOptions(dir), validator: validator! });
  expect(built.errors.map(formatError)).toEqual(expected);
}
