// How a pending restart reads, shared by every kind's reasons and every plan renderer.
import type { PendingRestart } from '../types.js';

/** "spec.memory 128MiB running, 192MiB defined" */
export function describePending(p: PendingRestart): string {
  const show = (v: unknown): string =>
    v === undefined ? '(absent)' : typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
  return `${p.path} ${show(p.running)} running, ${show(p.defined)} defined`;
}
