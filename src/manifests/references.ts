// Checks across documents: one object declared twice, references to objects no manifest
// declares, and conflicts only visible with all manifests at hand. Each kind says what its
// documents refer to and what conflicts among them (its contract); this module runs them. Pure.
import { definitionOf, KIND_DEFINITIONS, type KindDefinitions } from '../resources/definitions.js';
import type { Candidate, CrossIssue, KindDocument, KindReference } from '../resources/contract.js';
import { looseIdentity, splitKey } from './identity.js';
import type { FieldPath } from './paths.js';
import type { IdentityKey, SourceLocation } from './types.js';

export type { Candidate, CrossIssue };

export interface CrossResult<M extends KindDocument = KindDocument> {
  /** First declaration of every identity. */
  unique: Array<Candidate<M>>;
  issues: CrossIssue[];
  /** What may work but deserves a look (a MAC shared by domains that do not run together); never blocks. */
  warnings: CrossIssue[];
}

/** A document whose references are checked: valid or not, so a user sees every problem in one run. */
export interface Referrer {
  kind: string;
  value: unknown;
  locate(path: FieldPath, anchor?: 'value' | 'key'): SourceLocation;
}

export function checkAcross<M extends KindDocument>(
  candidates: ReadonlyArray<Candidate<M>>,
  referrers: readonly Referrer[],
  declaredInvalid: ReadonlySet<IdentityKey> = new Set(),
  definitions: KindDefinitions = KIND_DEFINITIONS,
): CrossResult<M> {
  const issues: CrossIssue[] = [];
  const byKey = new Map<IdentityKey, Candidate<M>>();
  for (const c of candidates) {
    const key = looseIdentity(c.manifest.kind, c.manifest, definitions);
    if (key === undefined) continue;
    const first = byKey.get(key);
    if (first) {
      const at = first.locate(['metadata', 'name']);
      issues.push({
        candidate: c,
        path: ['metadata', 'name'],
        message: `${describe(key)} is already declared at ${at.file}:${at.line}:${at.column}`,
      });
    } else byKey.set(key, c);
  }
  const unique = [...byKey.values()];
  const has = (key: IdentityKey) => byKey.has(key) || declaredInvalid.has(key);

  for (const r of referrers) {
    for (const ref of findReferences(r.kind, r.value, definitions)) {
      if (ref.need === 'required' && !has(ref.key))
        issues.push({ candidate: r, path: ref.path, message: `refers to ${describe(ref.key)}, which no manifest declares` });
      const target = byKey.get(ref.key)?.manifest;
      const problem = target && definitionOf(definitions, target.kind)?.referenceProblem?.(target, ref);
      if (problem) issues.push({ candidate: r, path: ref.path, message: problem });
    }
  }
  const warnings: CrossIssue[] = [];
  for (const definition of definitions.ordered) {
    if (!definition.checkAcross) continue;
    const found = definition.checkAcross({ mine: unique.filter((c) => c.manifest.kind === definition.kind), byKey });
    issues.push(...found.errors);
    warnings.push(...found.warnings);
  }
  return { unique, issues, warnings };
}

export type Reference = KindReference;

/**
 * References in a document, read defensively: the document may have failed its schema, and a
 * reference that is itself malformed is the schema's error to report, not ours.
 */
export function findReferences(kind: string, value: unknown, definitions: KindDefinitions = KIND_DEFINITIONS): KindReference[] {
  return definitionOf(definitions, kind)?.references(value) ?? [];
}

function describe(key: IdentityKey): string {
  const parts = splitKey(key);
  return parts ? `${parts.kind} "${parts.keyName}"` : JSON.stringify(key);
}
