// Autostart and "keep it active" are the same for networks, pools and interfaces: both are live
// changes, planned as their own steps so a printed plan shows them.
import type { FieldChange } from '../types.js';
import type { DefineStep, DestroyStep, NamedObject, SetAutostartStep, StartStep, UndefineStep } from './lifecycle-steps.js';

/** Path used for the runtime active flag, which has no manifest field (desired active = true). */
export const ACTIVE_PATH = 'status.active';

export function autostartChange(desired: boolean | undefined, live: boolean | undefined): FieldChange | undefined {
  if (desired === undefined || desired === (live ?? false)) return undefined;
  return { path: 'spec.autostart', before: live ?? false, after: desired, class: 'live' };
}

export function activeChange(liveActive: boolean): FieldChange | undefined {
  if (liveActive) return undefined;
  return { path: ACTIVE_PATH, before: false, after: true, class: 'live' };
}

/** `label` like "network lan"; payload carries the identity the kind's execute() needs. */
export function setAutostartStep(label: string, payload: NamedObject, autostart: boolean): SetAutostartStep {
  return {
    op: 'setAutostart',
    description: `${autostart ? 'enable' : 'disable'} autostart of ${label}`,
    payload: { ...payload, autostart },
  };
}

export function startStep(label: string, payload: NamedObject): StartStep {
  return { op: 'start', description: `start ${label}`, payload };
}

export function stopStep(label: string, payload: NamedObject): DestroyStep {
  return { op: 'destroy', description: `stop ${label}`, payload };
}

export function defineStep(label: string, payload: NamedObject, xml: string): DefineStep {
  return { op: 'define', description: `define ${label}`, payload: { ...payload, xml } };
}

export function undefineStep(label: string, payload: NamedObject): UndefineStep {
  return { op: 'undefine', description: `undefine ${label}`, payload };
}
