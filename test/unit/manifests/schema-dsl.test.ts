// The schema builders carry the type of what their schema accepts; the spec types of every kind
// are derived through them. The type assertions here are checked by `tsc` (npm run typecheck),
// the value assertions by vitest: together they pin both halves of each builder.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { arr, bool, custom, enumOf, forbidden, int, obj, size, str, type Static } from '../../../src/manifests/schema/dsl.js';
import type { DomainSpec } from '../../../src/resources/domain/schema.js';
import type { SecretSpec } from '../../../src/resources/secret/schema.js';
import type { StorageVolumeSpec } from '../../../src/resources/storage-volume/schema.js';

describe('schema dsl: derived types', () => {
  const sample = obj(
    'A sample.',
    {
      name: str('Name.'),
      count: int('Count.', 0),
      mode: enumOf('Mode.', ['a', 'b']),
      tags: arr('Tags.', str('A tag.')),
      on: bool('On.'),
      memory: size('Memory.'),
      secret: forbidden('never write it here', 'Not allowed.'),
      doc: custom<string | { fromFile: string }>({ type: ['string', 'object'], description: 'A document.' }),
    },
    ['name', 'mode'],
  );

  it('required fields come from the required tuple, the rest are optional, forbidden ones vanish', () => {
    expectTypeOf<Static<typeof sample>>().toEqualTypeOf<{
      name: string;
      mode: 'a' | 'b';
      count?: number;
      tags?: string[];
      on?: boolean;
      memory?: string | number;
      doc?: string | { fromFile: string };
    }>();
    expect(sample.required).toEqual(['name', 'mode']);
    expect(sample.additionalProperties).toBe(false);
  });

  it('an object without required fields writes no required keyword', () => {
    const open = obj('Nothing required.', { a: str('A.') });
    expectTypeOf<Static<typeof open>>().toEqualTypeOf<{ a?: string }>();
    expect(open).toEqual({
      type: 'object',
      description: 'Nothing required.',
      properties: { a: { type: 'string', description: 'A.' } },
      additionalProperties: false,
    });
  });

  it('a forbidden field keeps its description first, as the committed schemas have it', () => {
    expect(Object.keys(forbidden('no', 'Why.'))).toEqual(['description', 'not', 'errorMessage']);
    expect(forbidden('no')).toEqual({ not: {}, errorMessage: 'no' });
  });

  it('enumOf gives the literal union of its values', () => {
    const e = enumOf('E.', ['x', 'y', 'z']);
    expectTypeOf<Static<typeof e>>().toEqualTypeOf<'x' | 'y' | 'z'>();
    expect(e.enum).toEqual(['x', 'y', 'z']);
  });

  it("the kinds' spec types are derived: required fields of the schema are required in the type", () => {
    expectTypeOf<DomainSpec['memory']>().toEqualTypeOf<string | number>();
    expectTypeOf<NonNullable<DomainSpec['disks']>[number]['target']>().toEqualTypeOf<string>();
    expectTypeOf<StorageVolumeSpec['pool']>().toEqualTypeOf<string>();
    // Secret's `value` is declared in the schema only to be refused with a message.
    expectTypeOf<'value' extends keyof SecretSpec ? true : false>().toEqualTypeOf<false>();
  });
});
