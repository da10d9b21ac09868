// Rules a JSON Schema cannot express (arithmetic on sizes, subnets, uniqueness inside one
// document, well-formed XML fragments). Runs only on documents that passed their schema, so the
// typed view is trustworthy. Each kind's own rules live in its folder (resources/<kind>/check.ts);
// this module runs them. Pure.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { field, type CheckIssue, type KindDocument } from '../resources/contract.js';
import { definitionOf, KIND_DEFINITIONS, type KindDefinitions } from '../resources/definitions.js';
import { lexicalProblem, undeclaredPrefix, undeclaredPrefixMessage } from './xml-wellformed.js';

export type { CheckIssue };

/** Per-document rules: the characters XML cannot carry, the kind's own checks, its xml.merge overlay. */
export function checkManifest(m: KindDocument, definitions: KindDefinitions = KIND_DEFINITIONS): CheckIssue[] {
  const issues: CheckIssue[] = [...checkXmlCharacters(m)];
  const definition = definitionOf(definitions, m.kind);
  if (definition?.check) issues.push(...definition.check(m));
  const merge = field(field(field(m, 'spec'), 'xml'), 'merge');
  // Only a kind with libvirt XML has an overlay; the schema refuses spec.xml elsewhere.
  if (definition?.xmlRoot !== undefined && typeof merge === 'string') {
    issues.push(...checkXmlFragment(merge, definition.xmlRoot).map((message) => ({ path: ['spec', 'xml', 'merge'], message })));
  }
  return issues;
}

// ------------------------------------------------------------------ strings XML cannot carry

// XML 1.0 has no way to represent these, not even escaped; libvirt would reject the document.
const XML_ILLEGAL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkXmlCharacters(m: KindDocument): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value: m, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const bad = XML_ILLEGAL.exec(value);
      if (bad)
        issues.push({
          path,
          message: `contains the control character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which XML cannot carry`,
        });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const bad = XML_ILLEGAL.exec(k);
        if (bad) issues.push({ path: [...path, k], message: 'key contains a control character, which XML cannot carry', anchor: 'key' });
        stack.push({ value: v, path: [...path, k] });
      }
    }
  }
  return issues;
}

// ------------------------------------------------------------------ xml escape hatch

export function checkXmlFragment(fragment: string, root: string): string[] {
  if (/<!DOCTYPE|<!ENTITY/i.test(fragment)) return ['must not contain DOCTYPE or ENTITY declarations'];
  if (/<\?xml[\s?]/i.test(fragment)) return ['must not contain an XML declaration (<?xml ...?>): write only the elements'];
  const lexical = lexicalProblem(fragment);
  if (lexical) return [`is not well-formed XML: ${lexical}`];
  const wrapped = `<${root}>${fragment}</${root}>`;
  const result = XMLValidator.validate(wrapped);
  if (result !== true) {
    const { msg, line } = result.err;
    return [
      `is not well-formed XML: ${msg.replace(/\(opened in line \d+, col \d+\) /, '')}${line > 1 ? ` (line ${line} of the fragment)` : ''}`,
    ];
  }
  const prefix = undeclaredPrefix(wrapped);
  if (prefix !== undefined) return [`is not well-formed XML: ${undeclaredPrefixMessage(fragment, prefix)}`];
  const parsed = new XMLParser({ preserveOrder: true, ignoreAttributes: true }).parse(wrapped) as Array<Record<string, unknown>>;
  const children = (parsed[0]?.[root] ?? []) as Array<Record<string, unknown>>;
  const problems: string[] = [];
  for (const child of children) {
    for (const key of Object.keys(child)) {
      if (key === '#text' && String(child[key]).trim() !== '') problems.push('must contain only elements, no text outside them');
      if (key === 'name') problems.push('must not set <name>: the name comes from metadata.name');
    }
  }
  return problems;
}
