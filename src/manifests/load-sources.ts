// Turns file contents into a DesiredState plus every error found, all at once (a user fixing a
// directory wants the whole list, not one error per run). Pure: the caller reads the files.
import path from 'node:path';
import { checkManifest } from './checks.js';
import { NO_INCLUDES, type Includer } from './includes.js';
import { createDesiredState } from './desired-state.js';
import { identityKey, looseIdentity } from './identity.js';
import { sortErrors } from './errors.js';
import { formatPath, type FieldPath } from './paths.js';
import { checkAcross, type Candidate, type Referrer } from './references.js';
import { definitionOf, KIND_DEFINITIONS, MANIFEST_KINDS, type KindDefinitions } from '../resources/definitions.js';
import { closest } from './suggest.js';
import { schemaValidator, type KindValidator } from './schema-validator.js';
import { API_VERSION, type AnyManifest, type DesiredState, type IdentityKey, type ManifestError, type ManifestKind } from './types.js';
import { DEFAULT_YAML_LIMITS, parseYaml, type ParsedDocument, type YamlLimits } from './yaml-source.js';

export interface SourceFile {
  /** Relative to the root, forward slashes. */
  file: string;
  bytes: Uint8Array;
}

export interface LoadResult {
  /** Only manifests that passed every per-document check; act on it only when errors is empty. */
  state: DesiredState;
  errors: ManifestError[];
  /** Findings that do not make the manifests invalid (validate prints them; nothing else acts on them). */
  warnings: ManifestError[];
  /** Files read, relative to the root. */
  files: string[];
}

export interface SourceOptions {
  yaml?: YamlLimits;
  validator?: KindValidator;
  /** Reads the files manifests name (cloudInit fromFile); without it, naming one is an error. */
  include?: Includer;
  /** The kinds and their rules; default: the real ones. */
  definitions?: KindDefinitions;
}

export function loadFromSources(root: string, sources: readonly SourceFile[], options: SourceOptions = {}): LoadResult {
  const validate = options.validator ?? schemaValidator();
  const definitions = options.definitions ?? KIND_DEFINITIONS;
  const errors: ManifestError[] = [];
  const warnings: ManifestError[] = [];
  const candidates: Array<Candidate<AnyManifest>> = [];
  // Identities of documents that failed their own checks: still "declared", so references to
  // them are not reported as missing on top of the document's real error.
  const declaredInvalid = new Set<IdentityKey>();
  const referrers: Referrer[] = [];
  // Documents without apiVersion and kind, by file: reported once we know no manifest includes
  // the file (a user-data.yaml next to its Domain is data, not a broken manifest).
  const plainData = new Map<string, Array<() => void>>();
  const included = new Set<string>();
  const include: Includer = (manifestFile, relative) => {
    included.add(path.posix.normalize(path.posix.join(path.posix.dirname(manifestFile), relative)));
    return (options.include ?? NO_INCLUDES)(manifestFile, relative);
  };

  for (const source of sources) {
    const decoded = decodeUtf8(source.bytes);
    if (typeof decoded !== 'string') {
      errors.push({ file: source.file, ...decoded, path: '', message: 'is not valid UTF-8 text' });
      continue;
    }
    const parsed = parseYaml(decoded, options.yaml ?? DEFAULT_YAML_LIMITS);
    for (const issue of parsed.issues)
      errors.push({ file: source.file, line: issue.line, column: issue.column, path: formatPath(issue.path), message: issue.message });

    for (const doc of parsed.documents) {
      const locate = (path: FieldPath, anchor: 'value' | 'key' = 'value') => ({ file: source.file, ...doc.locate(path, anchor) });
      const report = (path: FieldPath, message: string, at: FieldPath = path, anchor: 'value' | 'key' = 'value') =>
        errors.push({ ...locate(at, anchor), path: formatPath(path), message });

      if (isPlainData(doc.value)) {
        // No apiVersion and no kind: not a manifest, unless no manifest includes the file.
        plainData.set(source.file, [...(plainData.get(source.file) ?? []), () => envelopeKind(doc, report)]);
        continue;
      }
      const kind = envelopeKind(doc, report);
      if (!kind) continue;
      referrers.push({ kind, value: doc.value, locate });
      const schemaIssues = validate(kind, doc.value);
      for (const i of schemaIssues) report(i.path, i.message, i.locateAt, i.anchor);
      if (schemaIssues.length > 0) {
        const key = looseIdentity(kind, doc.value, definitions);
        if (key) declaredInvalid.add(key);
        continue;
      }

      const manifest = doc.value as AnyManifest; // the schema just vouched for this shape
      const found = checkManifest(manifest, definitions);
      for (const w of found.filter((i) => i.warning))
        warnings.push({ ...locate(w.path, w.anchor), path: formatPath(w.path), message: w.message });
      const issues = found.filter((i) => !i.warning);
      for (const i of issues) report(i.path, i.message, i.path, i.anchor);
      if (issues.length > 0) {
        declaredInvalid.add(identityKey(manifest, definitions));
        continue;
      }
      const expand = definitionOf(definitions, manifest.kind)?.expand;
      const expanded = expand ? expand(manifest, { file: source.file, include, report: (at, message) => report(at, message) }) : [];
      if (expanded === undefined) {
        declaredInvalid.add(identityKey(manifest, definitions));
        continue;
      }
      if (expanded.length === 0) candidates.push({ manifest, locate });
      // A manifest another stands for is declared there: its errors point at the declaring field.
      for (const { manifest: standsFor, declaredAt } of expanded)
        candidates.push({ manifest: standsFor, locate: declaredAt ? () => locate(declaredAt, 'key') : locate });
    }
  }

  for (const [file, reports] of plainData) if (!included.has(file)) for (const reportIt of reports) reportIt();

  const across = checkAcross(candidates, referrers, declaredInvalid, definitions);
  const located = (i: (typeof across.issues)[number]): ManifestError => ({
    ...i.candidate.locate(i.path, i.anchor),
    path: formatPath(i.path),
    message: i.message,
  });
  errors.push(...across.issues.map(located));

  const state = createDesiredState(
    root,
    across.unique.map((c) => ({ manifest: c.manifest, source: c.locate([]) })),
  );
  return {
    state,
    errors: sortErrors(errors),
    warnings: sortErrors([...warnings, ...across.warnings.map(located)]),
    files: sources.map((s) => s.file),
  };
}

function isPlainData(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v.apiVersion === undefined && v.kind === undefined;
}

/** apiVersion and kind decide which schema applies; without a known kind there is nothing more to say. */
function envelopeKind(
  doc: ParsedDocument,
  report: (path: FieldPath, message: string, at?: FieldPath, anchor?: 'value' | 'key') => void,
): ManifestKind | undefined {
  const v = doc.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    report([], 'a manifest must be a mapping with apiVersion, kind, metadata and spec');
    return undefined;
  }
  const { apiVersion, kind } = v as Record<string, unknown>;
  const known = MANIFEST_KINDS.find((k) => k === kind);
  if (known) return known;
  if (apiVersion === undefined) report(['apiVersion'], 'is required', [], 'key');
  else if (apiVersion !== API_VERSION)
    report(['apiVersion'], `unsupported apiVersion ${JSON.stringify(apiVersion)} (expected ${API_VERSION})`);
  if (kind === undefined) report(['kind'], 'is required', [], 'key');
  else {
    const hint = typeof kind === 'string' ? closest(kind, MANIFEST_KINDS) : undefined;
    report(
      ['kind'],
      `unknown kind ${JSON.stringify(kind)} (${hint ? `did you mean ${hint}?` : `expected one of: ${MANIFEST_KINDS.join(', ')}`})`,
    );
  }
  return undefined;
}

/** Text, or the position of the first byte that is not UTF-8 (a BOM is dropped). */
function decodeUtf8(bytes: Uint8Array): string | { line: number; column: number } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return text;
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset; i++)
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    return { line, column: offset - lineStart + 1 };
  }
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > b.length) return i;
    for (let j = 1; j < len; j++) if ((b[i + j] & 0xc0) !== 0x80) return i;
    // Overlong 3/4-byte forms and surrogates are rejected by TextDecoder too; precise enough to point at the char.
    i += len;
  }
  return i;
}
