// Regenerates schemas/*.schema.json from kinds.ts: `npx tsx src/manifests/schema/build.ts`.
// A unit test fails when the committed files are stale.
import { writeFile } from 'node:fs/promises';
import { MANIFEST_KINDS } from '../../resources/definitions.js';
import { schemaDirectory, serializeSchema } from '../schemas.js';
import { COMBINED_SCHEMA_FILE, SCHEMA_FILES, combinedSchema, kindSchema } from './kinds.js';

const dir = schemaDirectory();
for (const kind of MANIFEST_KINDS) {
  await writeFile(new URL(SCHEMA_FILES[kind], dir), serializeSchema(kindSchema(kind)));
}
await writeFile(new URL(COMBINED_SCHEMA_FILE, dir), serializeSchema(combinedSchema(MANIFEST_KINDS)));
console.log(`wrote ${MANIFEST_KINDS.length + 1} schemas to ${dir.pathname}`);
