// `virtkeeper schema [KIND]`: print the JSON Schema of a kind (for editors and tooling), or the
// combined schema that covers every kind when no KIND is given.
import type { Command } from 'commander';
import { findKind, readSchemaText } from '../../manifests/schemas.js';
import { MANIFEST_KINDS } from '../../resources/definitions.js';

export function schemaText(kindArg: string | undefined): { ok: true; text: string } | { ok: false; error: string } {
  if (kindArg === undefined) return { ok: true, text: readSchemaText('all') };
  const kind = findKind(kindArg);
  if (!kind) return { ok: false, error: `unknown kind "${kindArg}"; expected one of: ${MANIFEST_KINDS.join(', ')}` };
  return { ok: true, text: readSchemaText(kind) };
}

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description(`print the JSON Schema (draft 2020-12) of a kind (${MANIFEST_KINDS.join(', ')}), or of all kinds`)
    .argument('[kind]', 'kind name, case-insensitive; omitted: one schema for every kind')
    .action((kind: string | undefined) => {
      const result = schemaText(kind);
      if (result.ok) process.stdout.write(result.text);
      else {
        process.stderr.write(`${result.error}\n`);
        process.exitCode = 1;
      }
    });
}
