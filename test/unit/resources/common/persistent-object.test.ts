// The persistent-object template (reading, plan skeleton, step execution) over a tiny fake
// adapter: a kind whose objects live in a Map, so only the template's own logic is under test.
import { describe, expect, it } from 'vitest';
import type { LibvirtClient } from '../../../../src/libvirt/client.js';
import { LibvirtError, VIR_ERR_INVALID_ARG, VIR_ERR_NO_NETWORK } from '../../../../src/libvirt/errors.js';
import type { NetworkManifest } from '../../../../src/resources/network/schema.js';
import { buildChange, noOp } from '../../../../src/resources/common/change.js';
import { StepPayloadError } from '../../../../src/resources/common/payload.js';
import {
  objectStepExecutor,
  planObject,
  removeSteps,
  readObject,
  readObjects,
  type ObjectPlanAdapter,
  type ObjectReadAdapter,
} from '../../../../src/resources/common/persistent-object.js';
import type { NetworkStep } from '../../../../src/resources/network/steps.js';
import type { LiveResource, ResourceChange } from '../../../../src/resources/types.js';
import { handEdited, payloadOf } from './payload-of.js';
import { contextOf, loaded } from './live.js';

interface FakeRef {
  name: string;
}
interface FakeObject {
  active: boolean;
  persistent: boolean;
  autostart: boolean;
  /** Removed between listing and reading. */
  vanishes?: boolean;
}

const client = {} as unknown as LibvirtClient;
const libvirtError = (code: number) => new LibvirtError({ code, domain: 0, level: 2, message: 'fake' });

/** A reading adapter over `objects`; `filtered` false: the driver rejects filtered listings. */
function fakeReading(objects: Map<string, FakeObject>, filtered = true) {
  const calls: string[] = [];
  const adapter: ObjectReadAdapter<'Network', FakeRef> = {
    kind: 'Network',
    list: async (_c, filter) => {
      calls.push(`list ${JSON.stringify(filter ?? {})}`);
      if (filter && !filtered) throw libvirtError(VIR_ERR_INVALID_ARG);
      return [...objects]
        .filter(
          ([, o]) =>
            (filter?.active ? o.active : true) && (filter?.persistent ? o.persistent : true) && (filter?.autostart ? o.autostart : true),
        )
        .map(([name]) => ({ name }));
    },
    lookup: async (_c, name) => (objects.has(name) ? { name } : null),
    facts: () => ({
      active: async (ref) => (calls.push(`active? ${ref.name}`), objects.get(ref.name)!.active),
      persistent: async (ref) => objects.get(ref.name)!.persistent,
      autostart: async (ref) => objects.get(ref.name)!.autostart,
    }),
    xml: async (_c, ref, inactive) => {
      if (objects.get(ref.name)?.vanishes) throw libvirtError(VIR_ERR_NO_NETWORK);
      return `<network inactive="${inactive}"><name>${ref.name}</name></network>`;
    },
    fromXml: (_xml, runtime) => ({ autostart: runtime.autostart }),
    withRunning: async (_c, _ref, facts, live) => (facts.active ? { ...live, running: { autostart: false } } : live),
    goneCode: VIR_ERR_NO_NETWORK,
  };
  return { adapter, calls };
}

describe('reading persistent objects', () => {
  it('reads every object with its facts from three filtered listings and leaves out one that vanished', async () => {
    const objects = new Map<string, FakeObject>([
      ['a', { active: true, persistent: true, autostart: true }],
      ['b', { active: false, persistent: true, autostart: false }],
      ['gone', { active: false, persistent: true, autostart: false, vanishes: true }],
    ]);
    const { adapter, calls } = fakeReading(objects);
    const live = await readObjects(adapter, client);
    expect(live.map((l) => [l.key, l.active, l.persistent, l.spec.autostart, l.running !== undefined])).toEqual([
      ['Network/a', true, true, true, true],
      ['Network/b', false, true, false, false],
    ]);
    expect(live[0]!.xml).toBe('<network inactive="true"><name>a</name></network>');
    expect(calls.filter((c) => c.startsWith('active?'))).toEqual([]);
  });

  it('asks each object when the driver rejects filtered listings', async () => {
    const { adapter, calls } = fakeReading(new Map([['a', { active: true, persistent: false, autostart: false }]]), false);
    const live = await readObjects(adapter, client);
    expect(live.map((l) => [l.name, l.active, l.persistent])).toEqual([['a', true, false]]);
    expect(calls).toContain('active? a');
  });

  it('reads one object by name, undefined when there is none', async () => {
    const { adapter } = fakeReading(new Map([['a', { active: false, persistent: true, autostart: true }]]));
    expect((await readObject(adapter, client, 'a'))?.spec).toEqual({ autostart: true });
    expect(await readObject(adapter, client, 'nope')).toBeUndefined();
  });
});

const planning: ObjectPlanAdapter<'Network'> = {
  kind: 'Network',
  noun: 'thing',
  deleteReason: 'thing left the manifests',
  deleteSteps: (live) => removeSteps('thing', live),
  dependsOn: (m) => (m.spec.forward?.dev ? [`Interface/${m.spec.forward.dev}`] : []),
  prepare: (m) => ({ ...m, spec: { ...m.spec, autostart: true } }),
  createSteps: (m) => [{ op: 'define', description: `define thing ${m.metadata.name}`, payload: { name: m.metadata.name, xml: '<x/>' } }],
  planUpdate: (id, m) => (m.spec.autostart ? buildChange(id, { action: 'update', reason: 'prepared' }) : noOp(id)),
};

const manifest = (name: string, spec: NetworkManifest['spec'] = {}): NetworkManifest => ({
  apiVersion: 'virtkeeper.io/v1',
  kind: 'Network',
  metadata: { name },
  spec,
});
const liveThing = (name: string, active: boolean, persistent: boolean): LiveResource<'Network'> => ({
  key: `Network/${name}`,
  kind: 'Network',
  name,
  spec: {},
  active,
  persistent,
  markedOwned: false,
});

describe('the plan skeleton', () => {
  const ctx = contextOf([]);

  it('deletes by stopping what is active and undefining what is persistent', () => {
    const steps = (active: boolean, persistent: boolean) =>
      planObject(planning, undefined, liveThing('t', active, persistent), ctx).steps.map((s) => s.description);
    expect(steps(true, true)).toEqual(['stop thing t', 'undefine thing t']);
    expect(steps(false, true)).toEqual(['undefine thing t']);
    expect(steps(true, false)).toEqual(['stop thing t']);
    const change = planObject(planning, undefined, liveThing('t', true, true), ctx);
    expect([change.action, change.reason, change.steps[0]]).toEqual([
      'delete',
      'thing left the manifests',
      { op: 'destroy', description: 'stop thing t', payload: { name: 't' } },
    ]);
  });

  it('is a no-op when the object is on neither side', () => {
    expect(planObject(planning, undefined, undefined, ctx)).toMatchObject({
      key: 'Network/',
      action: 'no-op',
      reason: 'absent on both sides',
      steps: [],
    });
  });

  it('creates with the kind steps, every set field of the prepared manifest, and its dependencies', () => {
    const change = planObject(planning, loaded(manifest('t', { forward: { mode: 'nat', dev: 'eth0' } })), undefined, ctx);
    expect(change).toMatchObject({ action: 'create', reason: 'thing does not exist', dependsOn: ['Interface/eth0'] });
    expect(change.changes.map((c) => c.path)).toEqual(['spec.forward', 'spec.autostart']);
    expect(change.steps.map((s) => s.op)).toEqual(['define']);
  });

  it('hands an existing object to the kind update with the prepared manifest', () => {
    expect(planObject(planning, loaded(manifest('t')), liveThing('t', true, true), ctx)).toMatchObject({
      action: 'update',
      reason: 'prepared',
    });
  });
});

/** An executing adapter over fake libvirt calls that records them. */
function fakeExecutor(options: { gone?: boolean; undefineGoneIsDone?: boolean } = {}) {
  const calls: string[] = [];
  const execute = objectStepExecutor<'Network', FakeRef>({
    kind: 'Network',
    calls: () => ({
      define: async (xml) => (calls.push(`define ${xml}`), { name: 'defined' }),
      find: async (step) => {
        const name = String(payloadOf(step).name);
        calls.push(`find ${name}`);
        return options.gone ? null : { name };
      },
      start: async (ref) => void calls.push(`start ${ref.name}`),
      undefine: async (ref) => void calls.push(`undefine ${ref.name}`),
      setAutostart: async (ref, on) => void calls.push(`autostart ${ref.name} ${on}`),
    }),
    ...(options.undefineGoneIsDone ? { undefineGoneIsDone: true } : {}),
    extraSteps: {
      poke: async (_step, { object }) => void calls.push(`poke ${(await object())?.name ?? 'nothing'}`),
    },
  });
  const change = {
    key: 'Network/t',
    kind: 'Network',
    name: 't',
    action: 'update',
    changes: [],
    restartRequired: false,
    reason: '',
    steps: [],
    dependsOn: [],
  } as ResourceChange<'Network'>;
  const run = async (...steps: NetworkStep[]) => {
    for (const step of steps) await execute(step, change, client);
    return calls;
  };
  return { run };
}

/** Steps as a plan could hold them, and ops the fake kind does not know (poke is its extra step). */
const step = (op: string, payload: Record<string, unknown> = { name: 't' }): NetworkStep =>
  handEdited<NetworkStep>({ op, description: op, payload });

describe('executing lifecycle steps', () => {
  it('keeps the handle a define returned for the later steps of the change', async () => {
    const calls = await fakeExecutor().run(
      step('define', { name: 't', xml: '<x/>' }),
      step('setAutostart', { name: 't', autostart: true }),
      step('start'),
    );
    expect(calls).toEqual(['define <x/>', 'autostart defined true', 'start defined']);
  });

  it('finds the object once per change, and again after an undefine', async () => {
    const calls = await fakeExecutor().run(step('start'), step('poke'), step('undefine'), step('poke'));
    expect(calls).toEqual(['find t', 'start t', 'poke t', 'undefine t', 'find t', 'poke t']);
  });

  it('refuses an op the kind does not have, and a malformed payload', async () => {
    await expect(fakeExecutor().run(step('destroy'))).rejects.toThrow('Network: unknown step op "destroy"');
    await expect(fakeExecutor().run(step('setAutostart', { name: 't', autostart: 'yes' }))).rejects.toThrow(StepPayloadError);
    await expect(fakeExecutor().run(step('define', { name: 't' }))).rejects.toThrow('payload.xml must be a string');
  });

  it('fails a step on an object that is not there, unless an undefine of it is already done', async () => {
    await expect(fakeExecutor({ gone: true }).run(step('start'))).rejects.toThrow('no Network to act on');
    await expect(fakeExecutor({ gone: true }).run(step('undefine'))).rejects.toThrow('no Network to act on');
    expect(await fakeExecutor({ gone: true, undefineGoneIsDone: true }).run(step('undefine'))).toEqual(['find t']);
  });
});
