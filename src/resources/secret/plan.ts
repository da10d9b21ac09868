// Planning a Secret. Pure: the value itself is never here — only what plan found about it
// (ctx.secretValues) and, in the setValue step, where apply reads it from.
import { kindKey } from '../../manifests/keys.js';
import type { SecretManifest, SecretSpec } from './schema.js';
import type { LoadedManifest } from '../../manifests/types.js';
import { buildChange, noOp, type ChangeIdentity } from '../common/change.js';
import type { FieldChange, LiveResource, PlanContext, ResourceChange, SecretValueState } from '../types.js';
import type { SecretStep, SecretUsagePayload } from './steps.js';
import { describeValueFrom } from './value-source.js';
import { findUsage, usageKey, usageOf } from './usage.js';
import { secretToXml } from './xml.js';

type SecretLive = LiveResource<'Secret'>;

/** How plans show a value: never the value. */
export const SENSITIVE = '(sensitive)';
export const SENSITIVE_CHANGED = '(sensitive, changed)';

function usageText(spec: SecretSpec): string {
  const u = usageOf(spec.usage);
  return `${u.type} ${JSON.stringify(u.id)}`;
}

function defineStep(spec: SecretSpec, uuid: string | undefined, verb: string): SecretStep {
  return { op: 'define', description: `${verb} secret for ${usageText(spec)}`, payload: { xml: secretToXml(spec, uuid) } };
}

/** The step names where the value is read, not the value: apply reads it again there. */
function setValueStep(spec: SecretSpec): SecretStep {
  const u = usageOf(spec.usage);
  return {
    op: 'setValue',
    description: `set the value of the secret for ${usageText(spec)} from ${describeValueFrom(spec.valueFrom)}`,
    payload: { usageType: u.type, usageId: u.id, valueFrom: { ...spec.valueFrom }, encoding: spec.encoding ?? 'raw' },
  };
}

function valueChange(state: SecretValueState | undefined): FieldChange | undefined {
  switch (state?.state) {
    case 'changed':
      return { path: 'value', before: SENSITIVE, after: SENSITIVE_CHANGED, class: 'live' };
    case 'unrecorded':
      return { path: 'value', after: SENSITIVE, class: 'live', reason: 'no digest of the value is recorded, so apply sets it' };
    default:
      return undefined;
  }
}

export function planSecret(
  desired: LoadedManifest<SecretManifest> | undefined,
  live: SecretLive | undefined,
  ctx: PlanContext,
): ResourceChange<'Secret'> {
  const key = desired?.key ?? live?.key ?? kindKey('Secret', '');
  const name = desired?.manifest.metadata.name ?? live?.name ?? '';
  const id: ChangeIdentity<'Secret'> = { key, kind: 'Secret', name, dependsOn: [] };
  if (!desired) {
    if (!live) return noOp(id, 'absent on both sides');
    return {
      ...buildChange(id, {
        action: 'delete',
        reason: 'secret left the manifests',
        steps: [{ op: 'undefine', description: `undefine the secret for ${usageText(live.spec)}`, payload: usagePayload(live.spec) }],
      }),
      liveKey: live.key,
    };
  }
  const spec = desired.manifest.spec;
  if (!findUsage(spec.usage)) return noOp(id, 'holds a value for other manifests (a graphics password); not defined in libvirt');
  // Live secrets are keyed by usage (they have no name): find ours that way.
  const found = live ?? (ctx.live.get(usageKey(usageOf(spec.usage))) as SecretLive | undefined);
  const liveKey = usageKey(usageOf(spec.usage));
  const valueState = ctx.secretValues?.get(desired.key);
  if (!found) {
    const changes: FieldChange[] = [
      { path: 'spec.usage', after: spec.usage, class: 'redefine' },
      ...(spec.description !== undefined ? [{ path: 'spec.description', after: spec.description, class: 'redefine' as const }] : []),
      { path: 'value', after: SENSITIVE, class: 'live' },
    ];
    const unreadable = valueState?.state === 'unreadable' ? `; apply will fail unless the value can be read: ${valueState.reason}` : '';
    return {
      ...buildChange(id, {
        action: 'create',
        reason: `secret does not exist${unreadable}`,
        changes,
        steps: [defineStep(spec, undefined, 'define'), setValueStep(spec)],
      }),
      liveKey,
    };
  }
  const changes: FieldChange[] = [];
  if ((spec.description ?? undefined) !== (found.spec.description ?? undefined)) {
    changes.push({ path: 'spec.description', before: found.spec.description, after: spec.description, class: 'redefine' });
  }
  const wantPrivate = spec.private !== false;
  if (wantPrivate !== found.spec.private)
    changes.push({ path: 'spec.private', before: found.spec.private, after: wantPrivate, class: 'replace' });
  if (spec.uuid !== undefined && spec.uuid.toLowerCase().replace(/-/g, '') !== (found.spec.uuid ?? '').toLowerCase().replace(/-/g, '')) {
    changes.push({ path: 'spec.uuid', before: found.spec.uuid, after: spec.uuid, class: 'replace' });
  }
  const value = valueChange(valueState);
  const note = valueState?.state === 'unreadable' ? `; value not compared: ${valueState.reason}` : '';
  if (changes.some((c) => c.class === 'replace')) {
    // libvirt refuses to change a secret's private flag or uuid in place: undefine, define, set.
    const steps: SecretStep[] = [
      { op: 'undefine', description: `undefine the secret for ${usageText(spec)}`, payload: usagePayload(spec) },
      defineStep(spec, spec.uuid ?? found.spec.uuid, 'define'),
      setValueStep(spec),
    ];
    // The old value goes with the old secret: without the value at hand, a replace would leave none.
    const refused =
      valueState?.state === 'unreadable'
        ? `replacing the secret needs its value, which cannot be read here (${valueState.reason})`
        : undefined;
    return {
      ...buildChange(id, {
        action: 'replace',
        reason: `${changes.map((c) => c.path).join(', ')} cannot change in place${note}`,
        changes: [...changes, ...(value ? [value] : [])],
        steps,
        ...(refused ? { refused } : {}),
      }),
      liveKey,
    };
  }
  const steps: SecretStep[] = [];
  if (changes.length > 0) steps.push(defineStep(spec, found.spec.uuid, 'redefine'));
  if (value) {
    changes.push(value);
    steps.push(setValueStep(spec));
  }
  if (steps.length === 0) return { ...noOp(id, `in sync${note}`), liveKey };
  return {
    ...buildChange(id, { action: 'update', reason: `${changes.map((c) => c.path).join(', ')} changed${note}`, changes, steps }),
    liveKey,
  };
}

function usagePayload(spec: SecretSpec): SecretUsagePayload {
  const u = usageOf(spec.usage);
  return { usageType: u.type, usageId: u.id };
}
