// Access to the JSON Schema files in schemas/ (the files editors use are the files we validate with).
import { readFileSync } from 'node:fs';
import type { JsonSchema } from './schema/dsl.js';
import { COMBINED_SCHEMA_FILE, SCHEMA_FILES } from './schema/kinds.js';
import type { ManifestKind } from './types.js';
import { MANIFEST_KINDS } from '../resources/definitions.js';

export type { JsonSchema };
export { COMBINED_SCHEMA_FILE, SCHEMA_FILES };

/** schemas/ at the package root; this module sits two levels below it both in src/ and in dist/. */
export function schemaDirectory(): URL {
  return new URL('../../schemas/', import.meta.url);
}

export function serializeSchema(schema: JsonSchema): string {
  return JSON.stringify(schema, null, 2) + '\n';
}

export function readSchemaText(kind: ManifestKind | 'all'): string {
  const file = kind === 'all' ? COMBINED_SCHEMA_FILE : SCHEMA_FILES[kind];
  return readFileSync(new URL(file, schemaDirectory()), 'utf8');
}

export function readKindSchema(kind: ManifestKind): JsonSchema {
  return JSON.parse(readSchemaText(kind)) as JsonSchema;
}

/** Case-insensitive kind lookup for the CLI ("domain", "storagevolume"). */
export function findKind(text: string): ManifestKind | undefined {
  return MANIFEST_KINDS.find((k) => k.toLowerCase() === text.toLowerCase());
}
