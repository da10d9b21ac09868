// Adding a kind is one folder plus one registry line: this test kind ("Widget", a gadget that
// plugs into other widgets) lives only here, is registered in its own set of definitions beside
// a real one, and goes through validation, plan order, prune order and event routing without any
// change to manifests/ or reconciler/.
import { describe, expect, it } from 'vitest';
import { kindKey, looseIdentity } from '../../../src/manifests/identity.js';
import { checkManifest } from '../../../src/manifests/checks.js';
import { checkAcross, type Referrer } from '../../../src/manifests/references.js';
import type { IdentityKey, SourceLocation } from '../../../src/manifests/types.js';
import { echoKey, keysForEvent } from '../../../src/reconciler/event-keys.js';
import { orderChanges, type OrderedChange } from '../../../src/reconciler/planner.js';
import {
  documentName,
  field,
  list,
  text,
  type Candidate,
  type KindDefinition,
  type KindDocument,
  type LiveView,
} from '../../../src/resources/contract.js';
import { KIND_DEFINITIONS, kindDefinitions } from '../../../src/resources/definitions.js';
import { networkDefinition } from '../../../src/resources/network/contract.js';
import { definitionSchema } from '../../../src/manifests/schema/kinds.js';
import { arr, name, obj, str, type Static } from '../../../src/manifests/schema/dsl.js';

// ------------------------------------------------------------------ the test kind's folder

// Its schema.ts: the spec's schema fragment, and the spec type derived from it.
const widgetSpecSchema = obj('A widget.', {
  plugsInto: arr('Widgets this one plugs into.', name('A widget name.')),
  network: name('The network it talks on.'),
  colour: str('Its colour.'),
});

interface WidgetManifest extends KindDocument {
  kind: 'Widget';
  spec: Static<typeof widgetSpecSchema>;
}

// Its contract.ts.
const widgetDefinition: KindDefinition<WidgetManifest> = {
  kind: 'Widget',
  schema: { file: 'widget.schema.json', spec: widgetSpecSchema },
  keyName: documentName,
  references: (document) => [
    ...list(field(document, 'spec'), 'plugsInto').flatMap((w, i) =>
      typeof w === 'string' ? [{ path: ['spec', 'plugsInto', i], key: kindKey('Widget', w), need: 'required' as const }] : [],
    ),
    ...(text(field(document, 'spec'), 'network')
      ? [{ path: ['spec', 'network'], key: kindKey('Network', text(field(document, 'spec'), 'network')!), need: 'required' as const }]
      : []),
  ],
  check: (m) => (m.spec.colour === 'plaid' ? [{ path: ['spec', 'colour'], message: 'no widget is plaid' }] : []),
  checkAcross: ({ mine }) => {
    const colours = new Map<string, string>();
    const errors = mine.flatMap((c) => {
      const colour = c.manifest.spec.colour;
      if (colour === undefined) return [];
      const other = colours.get(colour);
      colours.set(colour, c.manifest.metadata.name);
      return other ? [{ candidate: c, path: ['spec', 'colour'], message: `is already the colour of Widget "${other}"` }] : [];
    });
    return { errors, warnings: [] };
  },
  events: { source: 'gadget', echoes: true },
  export: { filePrefix: 'widget' },
};

// ------------------------------------------------------------------ its one registry line

const definitions = kindDefinitions([networkDefinition, widgetDefinition]);

// ------------------------------------------------------------------ helpers

const widget = (name: string, spec: WidgetManifest['spec'] = {}): WidgetManifest => ({ kind: 'Widget', metadata: { name }, spec });
const at = (file: string) => (): SourceLocation => ({ file, line: 1, column: 1 });
const candidate = (m: KindDocument, file = `${m.metadata.name}.yaml`): Candidate => ({ manifest: m, locate: at(file) });
const referrer = (m: KindDocument): Referrer => ({ kind: m.kind, value: m, locate: at(`${m.metadata.name}.yaml`) });

function change(kind: string, key: IdentityKey, action: OrderedChange['action'], dependsOn: IdentityKey[] = []): OrderedChange {
  return { kind, key, action, dependsOn };
}

describe('a kind registered only in its own definitions', () => {
  it('has an identity and is unknown to the real definitions', () => {
    expect(looseIdentity('Widget', widget('a'), definitions)).toBe('Widget/a');
    expect(looseIdentity('Widget', widget('a'), KIND_DEFINITIONS)).toBeUndefined();
  });

  it('has a JSON Schema: the manifest envelope around its spec fragment', () => {
    const schema = definitionSchema(widgetDefinition);
    expect(schema.$id).toBe('https://virtkeeper.io/schemas/v1/widget.schema.json');
    expect(schema).toMatchObject({
      properties: { kind: { const: 'Widget' }, spec: widgetSpecSchema },
      required: ['apiVersion', 'kind', 'metadata', 'spec'],
    });
  });

  it('validation runs its checks and reports references no manifest declares', () => {
    expect(checkManifest(widget('a', { colour: 'plaid' }), definitions)).toEqual([
      { path: ['spec', 'colour'], message: 'no widget is plaid' },
    ]);
    const a = widget('a', { plugsInto: ['b', 'ghost'], network: 'lan', colour: 'red' });
    const b = widget('b', { colour: 'red' });
    const lan = { kind: 'Network', metadata: { name: 'lan' }, spec: {} };
    const result = checkAcross(
      [a, b, lan].map((m) => candidate(m)),
      [a, b, lan].map(referrer),
      new Set(),
      definitions,
    );
    expect(result.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'spec.plugsInto.1: refers to Widget "ghost", which no manifest declares',
      'spec.colour: is already the colour of Widget "a"',
    ]);
    const twice = checkAcross([candidate(widget('a'), 'one.yaml'), candidate(widget('a'), 'two.yaml')], [], new Set(), definitions);
    expect(twice.issues.map((i) => i.message)).toEqual(['Widget "a" is already declared at one.yaml:1:1']);
  });

  it('creates what it plugs into first, and its network before it', () => {
    const changes = new Map(
      [
        change('Widget', 'Widget/a', 'create', ['Widget/b', 'Network/lan']),
        change('Widget', 'Widget/b', 'create'),
        change('Network', 'Network/lan', 'create'),
      ].map((c) => [c.key, c]),
    );
    const errors: Array<{ message: string }> = [];
    const { order, waitsFor } = orderChanges(changes, new Map(), definitions, errors);
    expect(errors).toEqual([]);
    expect(order.map((c) => c.key)).toEqual(['Network/lan', 'Widget/b', 'Widget/a']);
    expect(waitsFor.get('Widget/a')).toEqual(['Network/lan', 'Widget/b']);
  });

  it('prunes a widget before what it plugs into, from what the live widget refers to', () => {
    const live = new Map<IdentityKey, LiveView>([
      ['Widget/a', { kind: 'Widget', name: 'a', spec: { plugsInto: ['b'] } }],
      ['Widget/b', { kind: 'Widget', name: 'b', spec: {} }],
    ]);
    // Deletes carry no dependsOn here: the order comes from the live references alone.
    const changes = new Map([change('Widget', 'Widget/b', 'delete'), change('Widget', 'Widget/a', 'delete')].map((c) => [c.key, c]));
    const { order, waitsFor } = orderChanges(changes, live, definitions, []);
    expect(order.map((c) => c.key)).toEqual(['Widget/a', 'Widget/b']);
    expect(waitsFor.get('Widget/b')).toEqual(['Widget/a']);
  });

  it('routes its events to its managed keys, and recognises its echoes', () => {
    const managed = new Set(['Widget/a']);
    expect(keysForEvent({ kind: 'gadget', name: 'a' }, null, managed, definitions)).toEqual(['Widget/a']);
    expect(keysForEvent({ kind: 'gadget', name: 'stranger' }, null, managed, definitions)).toEqual([]);
    expect(keysForEvent({ kind: 'gadget', name: 'a' }, null, managed)).toEqual([]);
    expect(echoKey({ kind: 'gadget', name: 'a' }, definitions)).toBe('Widget/a');
  });
});
