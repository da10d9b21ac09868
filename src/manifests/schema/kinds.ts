// The JSON Schema of every kind: the manifest envelope (apiVersion, kind, metadata) around the
// spec fragment each kind's folder owns (src/resources/<kind>/schema.ts, which also derives the
// spec's TypeScript types from it), found through the kind list (its definition's `schema`).
// Written to schemas/*.schema.json by build.ts. Names no kind.
import { API_VERSION, type ManifestKind } from '../types.js';
import { KIND_LIST, MANIFEST_KINDS } from '../../resources/definitions.js';
import type { KindSchema } from '../../resources/contract.js';
import { enumOf, name, NAME_MESSAGE, NAME_PATTERN, obj, str, type JsonSchema } from './dsl.js';

export const SCHEMA_BASE_URL = 'https://virtkeeper.io/schemas/v1/';

/** Each kind's own schema: file name, spec fragment and name schema, from the kind's definition. */
function schemaOf(kind: ManifestKind): KindSchema<unknown> {
  const definition = KIND_LIST.find((d) => d.kind === kind);
  if (!definition) throw new Error(`no kind ${kind} in the kind list`);
  return definition.schema;
}

/** schemas/ file of each kind, by kind (built from MANIFEST_KINDS, so every kind has its entry; fromEntries cannot say so). */
export const SCHEMA_FILES: Readonly<Record<ManifestKind, string>> = Object.fromEntries(
  MANIFEST_KINDS.map((k) => [k, schemaOf(k).file]),
) as Record<ManifestKind, string>;
export const COMBINED_SCHEMA_FILE = 'manifest.schema.json';

// ------------------------------------------------------------------ envelope

const LABEL_KEY = '^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const LABEL_KEY_MESSAGE = 'keys must look like "tier" or "example.com/tier" (letters, digits, "-", "_", ".")';

function metadata(nameSchema: JsonSchema): JsonSchema {
  return obj(
    'Identity and bookkeeping of the object.',
    {
      name: nameSchema,
      labels: {
        type: 'object',
        description: 'Free-form key/value pairs for selecting and grouping objects.',
        propertyNames: { pattern: LABEL_KEY, errorMessage: LABEL_KEY_MESSAGE },
        additionalProperties: str('A label value.', { maxLength: 256 }),
      },
      annotations: {
        type: 'object',
        description: 'Key/value pairs that change how virtkeeper treats the object.',
        propertyNames: { pattern: LABEL_KEY, errorMessage: LABEL_KEY_MESSAGE },
        properties: {
          'virtkeeper.io/prune': enumOf(
            '"disabled": never delete this object, even when it leaves the manifests and --prune is given.',
            ['disabled', 'enabled'],
            {
              errorMessage: 'must be "disabled" or "enabled"',
            },
          ),
          'virtkeeper.io/allow-replace': enumOf(
            '"true": allow changes that destroy and recreate the object (possible data loss).',
            ['true', 'false'],
            {
              errorMessage: 'must be the string "true" or "false" (quote it in YAML)',
            },
          ),
        },
        additionalProperties: str('An annotation value.', { maxLength: 65536 }),
      },
    },
    ['name'],
  );
}

function envelope(kind: string, spec: JsonSchema, nameSchema?: JsonSchema): JsonSchema {
  return obj(
    `A virtkeeper ${kind} manifest.`,
    {
      apiVersion: {
        type: 'string',
        description: 'Manifest format version.',
        const: API_VERSION,
        errorMessage: `must be ${API_VERSION}`,
      },
      kind: { type: 'string', description: 'Kind of object.', const: kind, errorMessage: `must be ${kind}` },
      metadata: metadata(nameSchema ?? name(`Name of the ${kind} in libvirt. ${NAME_MESSAGE}.`)),
      spec,
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  );
}

// ------------------------------------------------------------------ assembly

export function kindSchema(kind: ManifestKind): JsonSchema {
  return definitionSchema({ kind, schema: schemaOf(kind) });
}

/** The whole schema of a kind's manifests, from its definition (a test kind's too). */
export function definitionSchema(definition: { kind: string; schema: KindSchema<unknown> }): JsonSchema {
  const { kind, schema } = definition;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_BASE_URL + schema.file,
    title: `virtkeeper ${kind}`,
    ...envelope(kind, schema.spec, schema.name),
  };
}

/** One schema for a whole directory of mixed kinds (editor setting yaml.schemas). */
export function combinedSchema(kinds: readonly ManifestKind[]): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_BASE_URL + COMBINED_SCHEMA_FILE,
    title: 'virtkeeper manifest (any kind)',
    description: 'A virtkeeper manifest; the kind field selects the schema.',
    type: 'object',
    properties: {
      apiVersion: { type: 'string', description: 'Manifest format version.', const: API_VERSION },
      kind: { type: 'string', description: 'Kind of object.', enum: [...kinds] },
    },
    required: ['apiVersion', 'kind'],
    allOf: kinds.map((k) => ({
      if: { properties: { kind: { const: k } }, required: ['kind'] },
      then: envelope(k, schemaOf(k).spec, schemaOf(k).name),
    })),
  };
}

export { NAME_PATTERN };
