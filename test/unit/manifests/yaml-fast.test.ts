// The fast YAML reader must agree with the full parser on every text it accepts, and must give
// up (never guess) on everything else: checked on the repository's own YAML, on generated
// hosts, and on thousands of mutated inputs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseYamlFast } from '../../../src/manifests/yaml-fast.js';
import { parseYaml, parseYamlFull } from '../../../src/manifests/yaml-source.js';
import { buildHost } from '../../../bench/peers/host.js';
import { renderManifestFiles } from '../../../bench/peers/manifests.js';

const REPO = path.resolve(import.meta.dirname, '../../..');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

/** What both readers say, in a form toEqual can compare. */
function fullView(text: string) {
  const full = parseYamlFull(text);
  return { issues: full.issues.length, documents: full.documents.map(({ index, start, value }) => ({ index, start, value })) };
}

/** Fails unless the fast reader either gives up or says exactly what the full parser says. */
function expectAgreement(text: string): 'fast' | 'full' {
  const fast = parseYamlFast(text);
  if (fast === undefined) return 'full';
  const full = fullView(text);
  expect({ text, issues: full.issues }).toEqual({ text, issues: 0 });
  expect({ text, documents: fast }).toEqual({ text, documents: full.documents });
  return 'fast';
}

/** A small deterministic PRNG, so a failing mutation can be reproduced from the seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('parseYamlFast', () => {
  it('agrees with the full parser on every YAML file in the repository, and reads the plain ones itself', () => {
    const files = [
      ...yamlFiles(path.join(REPO, 'examples')),
      ...yamlFiles(path.join(REPO, 'test')),
      ...yamlFiles(path.join(REPO, 'deploy')),
    ];
    expect(files.length).toBeGreaterThan(50);
    const paths = Object.fromEntries(files.map((f) => [path.relative(REPO, f), expectAgreement(readFileSync(f, 'utf8'))]));
    // The demo host and the plain examples are what users copy: they must take the fast path.
    for (const f of ['examples/sandbox/network.yaml', 'examples/sandbox/storage.yaml', 'examples/manifests/vms/db-1.yaml'])
      expect(paths[f]).toBe('fast');
  });

  it('reads a generated host (the benchmark host) itself, exactly as the full parser does', () => {
    const files = renderManifestFiles(buildHost(0.05));
    expect(files.length).toBeGreaterThan(2);
    for (const { text } of files) expect(expectAgreement(text)).toBe('fast');
  });

  it.each([
    [
      'scalars of the core schema',
      'a: 1\nb: -7\nc: +3\nd: 007\ne: true\nf: False\ng: ~\nh: null\ni: NULL\nj:\nk: 52:54:00:00:00:01\nl: 512MiB\nm: x#y\nn: a b  # c\n',
    ],
    ['quotes', `a: "1"\nb: 'it''s'\nc: "# not a comment" # a comment\nd: ''\ne: "true"\n`],
    ['sequences at and under their key', 'a:\n- 1\n- x: 1\n  y: []\nb:\n  - -1\n  -\n  - c: d\n'],
    ['empty collections', 'a: []\nb: {}\nc:\n  d: []\n'],
    ['flow collections', `a: {tier: db, n: 1}\nb: [hd, cdrom] # boot order\nc: [{x: "52:54:00:00:10:02", y: 'it''s'}, [true, ~], {}]\n`],
    ['documents and comments', '# head\n---\na: 1\n---\n# only a comment\n---\n\nb: 2\n---\n'],
    ['an implicit first document', 'a: 1\n---\nb: 2\n'],
    ['nested sequences of mappings', 'spec:\n  disks:\n    - volume:\n        pool: p\n        name: v\n      target: vda\n'],
  ])('reads %s itself', (_name, text) => {
    expect(expectAgreement(text)).toBe('fast');
  });

  it.each([
    ['a float', 'a: 1.5\n'],
    ['an exponent', 'a: 1e3\n'],
    ['hex', 'a: 0x1f\n'],
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['a merge key', 'a: {x: 1}\nb:\n  <<: {y: 2}\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a block scalar', 'a: |\n  text\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['a flow collection over two lines', 'a: {b: 1,\n  c: 2}\n'],
    ['a colon in a flow scalar', 'a: {b: fd00::1}\n'],
    ['a trailing comma in a flow collection', 'a: [1, ]\n'],
    ['a flow key without a value', 'a: {b}\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a tab', 'a:\t1\n'],
    ['CRLF', 'a: 1\r\n'],
    ['non-ASCII text', 'a: caf\u00e9\n'],
    ['a double-quoted escape', 'a: "x\\ty"\n'],
    ['an unclosed quote', 'a: "x\n  y"\n'],
    ['a quoted key', '"a": 1\n'],
    ['a key the schema reads as a number', '1: a\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['content after ---', '--- a: 1\n'],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a nested mapping on one line', 'a: b: c\n'],
    ['a top-level scalar', 'hello\n'],
    ['__proto__', '__proto__: 1\n'],
  ])('leaves %s to the full parser', (_name, text) => {
    expect(parseYamlFast(text)).toBeUndefined();
  });

  it('never disagrees with the full parser on mutated manifests', () => {
    const seeds = [
      ...renderManifestFiles(buildHost(0.01)).map((f) => f.text.slice(0, 1500)),
      readFileSync(path.join(REPO, 'examples/manifests/vms/db-1.yaml'), 'utf8'),
      stringify({ a: [{ b: 'x y', c: [1, 'two', null, true] }], d: { e: "it's", f: '#hash', g: '' } }),
    ];
    const alphabet = [
      ' ',
      '\n',
      ':',
      '-',
      '#',
      "'",
      '"',
      '[',
      ']',
      '{',
      '}',
      '&',
      '*',
      '!',
      '|',
      '>',
      '?',
      ',',
      '.',
      '0',
      '1',
      'e',
      '~',
      '---\n',
      '  ',
      '\t',
    ];
    const random = prng(20261202);
    let fastCount = 0;
    let total = 0;
    for (const seed of seeds) {
      for (let round = 0; round < 1000; round++) {
        let text = seed;
        const edits = 1 + Math.floor(random() * 3);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(random() * (text.length + 1));
          const piece = alphabet[Math.floor(random() * alphabet.length)];
          const kind = random();
          text =
            kind < 0.4
              ? text.slice(0, at) + piece + text.slice(at)
              : kind < 0.7
                ? text.slice(0, at) + text.slice(at + 1)
                : text.slice(0, at) + piece + text.slice(at + 1);
        }
        total++;
        if (expectAgreement(text) === 'fast') fastCount++;
      }
    }
    // Meaningful only if the fast reader accepted a good share of the mutants, not just gave up.
    expect(fastCount).toBeGreaterThan(total / 5);
  });

  it('points at a field by re-reading with the full parser when an error needs a position', () => {
    const text = 'apiVersion: virtkeeper.io/v1\nkind: Domain\nmetadata:\n  name: a\nspec:\n  memory: lots\n';
    const [doc] = parseYaml(text).documents;
    expect(doc.locate([])).toEqual({ line: 1, column: 1 });
    expect(doc.locate(['spec', 'memory'])).toEqual({ line: 6, column: 11 });
    expect(doc.locate(['spec', 'memory'], 'key')).toEqual({ line: 6, column: 3 });
    // An absent field: its nearest existing ancestor's key.
    expect(doc.locate(['spec', 'absent'])).toEqual({ line: 5, column: 1 });
  });
});
