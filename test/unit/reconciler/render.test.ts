import { describe, expect, it } from 'vitest';
import { hasChanges, type Plan } from '../../../src/reconciler/planner.js';
import { renderApplyReport } from '../../../src/reconciler/render/apply.js';
import { renderHuman } from '../../../src/reconciler/render/human.js';
import { renderJson, toJsonPlan } from '../../../src/reconciler/render/json.js';
import { renderMarkdown } from '../../../src/reconciler/render/markdown.js';
import type { ResourceChange } from '../../../src/resources/types.js';

function change(partial: Partial<ResourceChange> & Pick<ResourceChange, 'key' | 'kind' | 'name' | 'action'>): ResourceChange {
  return { changes: [], restartRequired: false, reason: '', steps: [], dependsOn: [], ...partial };
}

const samplePlan: Plan = {
  changes: [
    change({
      key: 'Network/lan',
      kind: 'Network',
      name: 'lan',
      action: 'create',
      reason: 'not defined on the host',
      changes: [{ path: 'spec.bridge', after: 'virbr10', class: 'redefine' }],
      steps: [
        { op: 'define', description: 'define network lan', payload: { name: 'lan', xml: '<network/>' } },
        { op: 'start', description: 'start network lan', payload: { name: 'lan' } },
      ],
    }),
    change({ key: 'StoragePool/images', kind: 'StoragePool', name: 'images', action: 'no-op', reason: 'matches' }),
    change({
      key: 'Domain/web-1',
      kind: 'Domain',
      name: 'web-1',
      action: 'update',
      reason: 'config differs',
      restartRequired: true,
      changes: [
        { path: 'spec.memory', before: '2GiB', after: '4GiB', class: 'redefine' },
        { path: 'spec.autostart', before: true, after: undefined, class: 'live' },
        { path: 'spec.title', before: 'a|b', after: 'c', class: 'redefine' },
      ],
      steps: [{ op: 'define', description: 'redefine domain web-1', payload: { xml: '<domain/>' } }],
      dependsOn: ['Network/lan'],
    }),
    change({
      key: 'StorageVolume/images/data',
      kind: 'StorageVolume',
      name: 'data',
      action: 'update',
      reason: 'capacity differs',
      refused: 'shrinking a volume loses data',
      changes: [{ path: 'spec.capacity', before: '20GiB', after: '10GiB', class: 'replace' }],
    }),
    change({
      key: 'Domain/old',
      kind: 'Domain',
      name: 'old',
      action: 'delete',
      reason: 'left the manifests',
      steps: [{ op: 'destroy', description: 'undefine domain old' }],
    }),
  ],
  waitsFor: new Map([
    ['Network/lan', []],
    ['StoragePool/images', []],
    ['Domain/web-1', ['Network/lan']],
    ['StorageVolume/images/data', []],
    ['Domain/old', []],
  ]),
  summary: { create: 1, update: 2, replace: 0, delete: 1, noOp: 1, refused: 1, restartPending: 0 },
  errors: [],
  retained: [{ key: 'Domain/pet', reason: 'prune-disabled' }],
  forgotten: [],
};

describe('nested lists in the human and Markdown plans', () => {
  const hosts = (...names: string[]) => names.map((name, i) => ({ mac: `52:54:00:00:10:0${i}`, name, ip: `192.168.100.${10 + i}` }));
  const ips = (h: unknown[], start = '192.168.100.100') => [
    { address: '192.168.100.1', prefix: 24, dhcp: { ranges: [{ start, end: '192.168.100.199' }], hosts: h } },
  ];
  const plan: Plan = {
    ...samplePlan,
    changes: [
      change({
        key: 'Network/lan',
        kind: 'Network',
        name: 'lan',
        action: 'update',
        reason: 'spec.ips differs',
        changes: [
          {
            path: 'spec.ips',
            before: ips(hosts('web-1', 'db-1')),
            after: ips(
              [...hosts('web-1', 'web-2').map((h) => (h.name === 'web-2' ? { ...h, ip: '192.168.100.20' } : h))],
              '192.168.100.50',
            ),
            class: 'live',
          },
        ],
      }),
    ],
  };

  it('shows one line per changed item, named by what identifies it', () => {
    const text = renderHuman(plan, { connect: 'test:///default', color: false });
    expect(text).toContain(
      [
        '      ~ spec.ips[0].dhcp.ranges[0].start: "192.168.100.100" → "192.168.100.50"  [live]',
        '      + spec.ips[0].dhcp.hosts[web-2]: {"mac":"52:54:00:00:10:01","name":"web-2","ip":"192.168.100.20"}  [live]',
        '      - spec.ips[0].dhcp.hosts[db-1]: {"mac":"52:54:00:00:10:01","name":"db-1","ip":"192.168.100.11"}  [live]',
      ].join('\n'),
    );
    expect(text).not.toContain('hosts[web-1]');
    expect(renderMarkdown(plan, { connect: 'test:///default' })).toContain(
      '+ spec.ips[0].dhcp.hosts[web-2]: {"mac":"52:54:00:00:10:01","name":"web-2","ip":"192.168.100.20"}  [live]',
    );
  });

  it("keeps the JSON plan's field changes as the kind made them", () => {
    expect(toJsonPlan(plan, 'x').resource_changes[0]!.changes.map((c) => c.path)).toEqual(['spec.ips']);
  });
});

describe('renderHuman', () => {
  it('renders one block per changing object with + ~ - per field', () => {
    expect(renderHuman(samplePlan, { connect: 'test:///default', color: false })).toBe(
      [
        'virtkeeper plan for test:///default',
        '',
        '  + Network/lan create',
        '      not defined on the host',
        '      + spec.bridge: "virbr10"',
        '',
        '  ~ Domain/web-1 update (restart required)',
        '      config differs',
        '      ~ spec.memory: "2GiB" → "4GiB"  [redefine]',
        '      - spec.autostart: true  [live]',
        '      ~ spec.title: "a|b" → "c"  [redefine]',
        '',
        '  ~ StorageVolume/images/data update REFUSED: shrinking a volume loses data',
        '      capacity differs',
        '      ~ spec.capacity: "20GiB" → "10GiB"  [replace]',
        '',
        '  - Domain/old delete',
        '      left the manifests',
        '',
        'Kept (recorded, no longer in the manifests):',
        '  Domain/pet: annotated virtkeeper.io/prune: disabled',
        '',
        'Plan: 1 to create, 2 to update, 0 to replace, 1 to delete, 1 unchanged, 1 refused.',
        '',
      ].join('\n'),
    );
  });

  it('colours only when asked', () => {
    expect(renderHuman(samplePlan, { connect: 'x', color: false })).not.toContain('\x1b[');
    const coloured = renderHuman(samplePlan, { connect: 'x', color: true });
    expect(coloured).toContain('\x1b[32m+ spec.bridge: "virbr10"\x1b[0m');
    expect(coloured).toContain('\x1b[31m- spec.autostart: true\x1b[0m');
  });

  it('says so when nothing changes, and prints errors', () => {
    const empty: Plan = {
      ...samplePlan,
      changes: [samplePlan.changes[1]],
      summary: { create: 0, update: 0, replace: 0, delete: 0, noOp: 1, refused: 0, restartPending: 0 },
      retained: [],
      errors: [],
    };
    expect(renderHuman(empty, { connect: 'x', color: false })).toBe(
      'virtkeeper plan for x\n\nNo changes: 1 object(s) match their manifests.\n\nPlan: 0 to create, 0 to update, 0 to replace, 0 to delete, 1 unchanged.\n',
    );
    const withError: Plan = { ...empty, errors: [{ message: 'dependency cycle: Domain/a → Domain/b → Domain/a' }] };
    expect(renderHuman(withError, { connect: 'x', color: false })).toContain('Error: dependency cycle: Domain/a → Domain/b → Domain/a\n');
  });
});

describe('restart pending', () => {
  const pendingChange = change({
    key: 'Domain/web',
    kind: 'Domain',
    name: 'web',
    action: 'no-op',
    reason: 'restart pending: spec.memory 128MiB running, 192MiB defined',
    restartPending: [{ path: 'spec.memory', running: '128MiB', defined: '192MiB' }],
  });
  const plan: Plan = {
    ...samplePlan,
    changes: [pendingChange],
    waitsFor: new Map(),
    summary: { create: 0, update: 0, replace: 0, delete: 0, noOp: 1, refused: 0, restartPending: 1 },
    retained: [],
    errors: [],
  };

  it('is never "No changes": shown, counted and a change for --detailed-exitcode', () => {
    const text = renderHuman(plan, { connect: 'x', color: false });
    expect(text).not.toContain('No changes');
    expect(text).toContain('  ! Domain/web restart pending (restart pending)');
    expect(text).toContain(
      '  ! Domain/web restart pending (restart pending)\n      ! restart pending: spec.memory 128MiB running, 192MiB defined\n',
    );
    expect(text).toContain('Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 1 unchanged, 1 restart pending.');
    expect(hasChanges(plan)).toBe(true);
    expect(hasChanges({ ...plan, changes: [{ ...pendingChange, restartPending: [] }] })).toBe(false);
  });

  it('is in the JSON and Markdown plans', () => {
    const json = toJsonPlan(plan, 'x');
    expect(json.summary.restart_pending).toBe(1);
    expect(json.resource_changes[0]?.restart_pending).toEqual([{ path: 'spec.memory', running: '128MiB', defined: '192MiB' }]);
    expect(renderMarkdown(plan, { connect: 'x' })).toContain('**restart pending**');
  });
});

describe('renderJson', () => {
  it('follows the documented format', () => {
    const json = toJsonPlan(samplePlan, 'test:///default');
    expect(json.format_version).toBe('1');
    expect(json.summary).toEqual({ create: 1, update: 2, replace: 0, delete: 1, no_op: 1, refused: 1, restart_pending: 0 });
    expect(json.resource_changes.map((c) => c.action)).toEqual(['create', 'no-op', 'update', 'update', 'delete']);
    expect(json.resource_changes[2]).toEqual({
      address: 'Domain/web-1',
      kind: 'Domain',
      name: 'web-1',
      action: 'update',
      reason: 'config differs',
      restart_required: true,
      depends_on: ['Network/lan'],
      changes: [
        { path: 'spec.memory', before: '2GiB', after: '4GiB', class: 'redefine' },
        { path: 'spec.autostart', before: true, after: null, class: 'live' },
        { path: 'spec.title', before: 'a|b', after: 'c', class: 'redefine' },
      ],
      steps: ['define'],
    });
    expect(json.resource_changes[3].refused).toBe('shrinking a volume loses data');
    expect('refused' in json.resource_changes[0]).toBe(false);
    expect(json.retained).toEqual([{ address: 'Domain/pet', reason: 'prune-disabled' }]);
    expect(JSON.parse(renderJson(samplePlan, 'test:///default'))).toEqual(json);
  });
});

describe('renderMarkdown', () => {
  it('renders a table and diff blocks, escaping table cells', () => {
    const md = renderMarkdown(samplePlan, { connect: 'qemu+ssh://kvm01/system' });
    expect(md).toContain('**Plan:** 1 to create, 2 to update, 0 to replace, 1 to delete, 1 unchanged, 1 refused.');
    expect(md).toContain('| ✏️ | `Domain/web-1` | update | **restart required**; config differs |');
    expect(md).toContain('| ⛔ | `StorageVolume/images/data` | update | **refused:** shrinking a volume loses data; capacity differs |');
    expect(md).toContain('```diff\n- spec.memory: "2GiB"\n+ spec.memory: "4GiB"  [redefine]\n- spec.autostart: true  [live]');
    expect(md).toContain('  (undefine domain old)');
    expect(md).not.toContain('StoragePool/images`');
    expect(md).toContain('- `Domain/pet`: annotated virtkeeper.io/prune: disabled');
  });

  it('leaves the field diffs out when the comment would be too long', () => {
    const md = renderMarkdown(samplePlan, { connect: 'x', limit: 500 });
    expect(md).toContain('| ➕ | `Network/lan` | create | not defined on the host |');
    expect(md).not.toContain('```diff');
    expect(md).toContain('_Field changes left out: too long for a comment.');
  });

  it('escapes pipes in reasons', () => {
    const plan: Plan = {
      ...samplePlan,
      changes: [change({ key: 'Network/x', kind: 'Network', name: 'x', action: 'create', reason: 'a | b' })],
    };
    expect(renderMarkdown(plan, { connect: 'x' })).toContain('| a \\| b |');
  });
});

describe('renderApplyReport', () => {
  it('can leave out the per-change lines already shown as progress', () => {
    const report = {
      results: [
        {
          key: 'Network/lan',
          kind: 'Network' as const,
          name: 'lan',
          action: 'create' as const,
          outcome: 'succeeded' as const,
          stepsDone: 2,
          durationMs: 1,
        },
      ],
      counts: { succeeded: 1, unchanged: 0, failed: 0, refused: 0, skipped: 0 },
      ok: true,
    };
    expect(renderApplyReport(report, { results: false })).toBe('Apply complete: 1 changed, 0 unchanged, 0 failed, 0 refused, 0 skipped.\n');
    expect(renderApplyReport(report)).toBe(
      'Network/lan: create done\n\nApply complete: 1 changed, 0 unchanged, 0 failed, 0 refused, 0 skipped.\n',
    );
  });

  it('lists failures with libvirt code and message', () => {
    const text = renderApplyReport({
      results: [
        {
          key: 'StoragePool/images',
          kind: 'StoragePool',
          name: 'images',
          action: 'create',
          outcome: 'failed',
          stepsDone: 0,
          durationMs: 1,
          error: { code: 38, codeName: 'VIR_ERR_SYSTEM_ERROR', message: 'Permission denied', step: 'build pool images' },
        },
        {
          key: 'StorageVolume/images/root',
          kind: 'StorageVolume',
          name: 'root',
          action: 'create',
          outcome: 'skipped',
          stepsDone: 0,
          durationMs: 0,
          error: { message: 'dependency StoragePool/images failed' },
        },
        { key: 'Network/lan', kind: 'Network', name: 'lan', action: 'no-op', outcome: 'unchanged', stepsDone: 0, durationMs: 0 },
      ],
      counts: { succeeded: 0, unchanged: 1, failed: 1, refused: 0, skipped: 1 },
      ok: false,
    });
    expect(text).toBe(
      [
        'StoragePool/images: create FAILED: libvirt error 38 (VIR_ERR_SYSTEM_ERROR): Permission denied [while: build pool images]',
        'StorageVolume/images/root: create SKIPPED: dependency StoragePool/images failed',
        '',
        'Failures:',
        '  StoragePool/images: create FAILED: libvirt error 38 (VIR_ERR_SYSTEM_ERROR): Permission denied [while: build pool images]',
        '',
        'Apply incomplete: 0 changed, 1 unchanged, 1 failed, 0 refused, 1 skipped.',
        '',
      ].join('\n'),
    );
  });
});
