// Checks a document against its kind's JSON Schema and turns ajv's errors into messages people
// can act on ("unknown field "memroy" (did you mean "memory"?)" rather than "must NOT have
// additional properties").
//
// Compiling the schemas costs about 200 ms, most of `virtkeeper validate`'s start-up, so the build
// compiles them once into dist/manifests/schema/validators.cjs (ajv's standalone code, see
// schema/compile-validators.ts) and this module uses that file when it sits next to it; from src/
// (tests, tsx) it compiles at first use. ajv itself is loaded only on that path.
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { pointerToPath, type FieldPath } from './paths.js';
import { readKindSchema } from './schemas.js';
import { closest } from './suggest.js';
import type { ManifestKind } from './types.js';
import { MANIFEST_KINDS } from '../resources/definitions.js';
import type { Anchor } from './yaml-source.js';

export interface SchemaIssue {
  path: FieldPath;
  message: string;
  anchor: Anchor;
  /** required errors point at the parent: the field itself is not in the file. */
  locateAt: FieldPath;
}

export type KindValidator = (kind: ManifestKind, value: unknown) => SchemaIssue[];

/** Written by the build next to the compiled form of this module. */
export const PRECOMPILED_VALIDATORS = './schema/validators.cjs';

const require = createRequire(import.meta.url);

/** The one ajv configuration: the build's precompiled validators and the runtime fallback share it. */
export function createAjv(): Ajv2020 {
  const { Ajv2020: AjvClass } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  // ajv-formats is CommonJS: its module is the plugin function.
  const addFormats = require('ajv-formats') as (ajv: Ajv2020, formats: string[]) => Ajv2020;
  const ajv = new AjvClass({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    allowUnionTypes: true,
    code: { source: true },
  });
  addFormats(ajv, ['ipv4', 'ipv6']);
  // Annotation shared with VS Code / yaml-language-server: a human message for the schema's failures.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv;
}

let cached: KindValidator | undefined;

export function schemaValidator(): KindValidator {
  cached ??= precompiledValidator() ?? createSchemaValidator();
  return cached;
}

/** The build's precompiled validators, or undefined when this module runs from src/ (no file next to it). */
export function precompiledValidator(): KindValidator | undefined {
  let compiled: Partial<Record<ManifestKind, ValidateFunction>>;
  try {
    compiled = require(PRECOMPILED_VALIDATORS) as Partial<Record<ManifestKind, ValidateFunction>>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
  if (!MANIFEST_KINDS.every((k) => typeof compiled[k] === 'function')) return undefined;
  return validatorOf(new Map(MANIFEST_KINDS.map((k) => [k, compiled[k]!] as const)));
}

export function createSchemaValidator(schemas: (kind: ManifestKind) => object = readKindSchema): KindValidator {
  const ajv = createAjv();
  return validatorOf(new Map(MANIFEST_KINDS.map((kind) => [kind, ajv.compile(schemas(kind))] as const)));
}

function validatorOf(compiled: ReadonlyMap<ManifestKind, ValidateFunction>): KindValidator {
  return (kind, value) => {
    const validate = compiled.get(kind)!;
    if (validate(value)) return [];
    return convertErrors(validate.errors ?? [], value);
  };
}

const BRANCH = /\/(oneOf|anyOf)\/\d+\//;

export function convertErrors(errors: readonly ErrorObject[], data: unknown): SchemaIssue[] {
  const relevant = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames' && !BRANCH.test(e.schemaPath + '/'));
  // Per location, an enum/const message says more than "must be a string"; a type error makes
  // the value's other checks (pattern, range) meaningless.
  const byPointer = new Map<string, Set<string>>();
  for (const e of relevant) {
    const set = byPointer.get(e.instancePath) ?? new Set();
    set.add(e.keyword);
    byPointer.set(e.instancePath, set);
  }
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const e of relevant) {
    const keywords = byPointer.get(e.instancePath)!;
    const childKeyword = e.keyword === 'required' || e.keyword === 'additionalProperties' || e.keyword === 'dependentRequired';
    if (!childKeyword && e.propertyName === undefined) {
      if (e.keyword === 'type' && (keywords.has('enum') || keywords.has('const'))) continue;
      if (keywords.has('type') && e.keyword !== 'type' && e.keyword !== 'enum' && e.keyword !== 'const') continue;
    }
    const issue = convertOne(e, data);
    const key = JSON.stringify([issue.path, issue.message]);
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function convertOne(e: ErrorObject, data: unknown): SchemaIssue {
  const base = pointerToPath(e.instancePath, data);
  const custom = customMessage(e);
  const p = e.params as Record<string, unknown>;
  if (e.propertyName !== undefined) {
    const path = [...base, e.propertyName];
    return { path, locateAt: path, anchor: 'key', message: custom ?? 'is not an allowed key' };
  }
  switch (e.keyword) {
    case 'required': {
      const path = [...base, String(p.missingProperty)];
      return { path, locateAt: base, anchor: 'key', message: custom ?? 'is required' };
    }
    case 'dependentRequired': {
      const path = [...base, String(p.missingProperty)];
      return { path, locateAt: [...base, String(p.property)], anchor: 'key', message: `is required when ${String(p.property)} is set` };
    }
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      const path = [...base, field];
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = closest(field, known);
      return { path, locateAt: path, anchor: 'key', message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}` };
    }
    default:
      return { path: base, locateAt: base, anchor: 'value', message: custom ?? defaultMessage(e) };
  }
}

function customMessage(e: ErrorObject): string | undefined {
  const m = (e.parentSchema as { errorMessage?: unknown } | undefined)?.errorMessage;
  return typeof m === 'string' ? m : undefined;
}

function defaultMessage(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const t = String(p.type).split(',');
      return `must be ${t.map(article).join(' or ')}${t.includes('object') ? expectedShape(e.parentSchema) : ''}`;
    }
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${String(p.allowedValue)}`;
    case 'minimum':
      return `must be at least ${String(p.limit)}`;
    case 'maximum':
      return `must be at most ${String(p.limit)}`;
    case 'minItems':
      return `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items`;
    case 'minLength':
      return `must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters`;
    case 'uniqueItems':
      return `must not repeat items (items ${Math.min(Number(p.i), Number(p.j))} and ${Math.max(Number(p.i), Number(p.j))} are equal)`;
    case 'pattern':
      return `must match ${String(p.pattern)}`;
    case 'format':
      return `must be a valid ${String(p.format)}`;
    default:
      return e.message ?? 'is not valid';
  }
}

/** " with fields a, b, c (a required)": what a mapping should hold, for a value of the wrong type. */
function expectedShape(schema: unknown): string {
  const { properties, required } = (schema ?? {}) as { properties?: Record<string, unknown>; required?: string[] };
  const fields = Object.keys(properties ?? {});
  if (fields.length === 0) return '';
  const shown = fields.length > 8 ? [...fields.slice(0, 8), '…'] : fields;
  const req = (required ?? []).filter((r) => fields.includes(r));
  return ` with fields ${shown.join(', ')}${req.length > 0 ? ` (${req.join(', ')} required)` : ''}`;
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    null: 'empty',
  };
  return names[type] ?? type;
}
