// The kind list is a plain constant built while the kind contracts load. Whichever module a
// program (or a test) loads first, every entry must be there: a contract that imports the list
// back at run time would make this a ReferenceError, or an undefined entry.
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

// Every kind folder: a folder of src/resources with a contract.ts.
const RESOURCES = new URL('../../../src/resources/', import.meta.url);
const CONTRACTS = readdirSync(RESOURCES).filter((d) => existsSync(new URL(`${d}/contract.ts`, RESOURCES)));

describe('the kind list', () => {
  it.each(CONTRACTS)('is complete when the %s contract is the first module loaded', async (kind) => {
    vi.resetModules();
    await import(`../../../src/resources/${kind}/contract.ts`);
    const { KIND_LIST, MANIFEST_KINDS } = await import('../../../src/resources/definitions.js');
    expect(KIND_LIST.every((d) => d !== undefined)).toBe(true);
    expect(MANIFEST_KINDS).toHaveLength(CONTRACTS.length);
    expect(MANIFEST_KINDS).toEqual(KIND_LIST.map((d) => d.kind));
  });

  it('names each kind once, and each kind has its own schema file', async () => {
    const { KIND_LIST } = await import('../../../src/resources/definitions.js');
    expect(new Set(KIND_LIST.map((d) => d.kind)).size).toBe(KIND_LIST.length);
    expect(new Set(KIND_LIST.map((d) => d.schema.file)).size).toBe(KIND_LIST.length);
  });
});
