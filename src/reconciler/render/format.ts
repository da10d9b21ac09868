// Shared wording for every plan renderer, so human, Markdown and JSON outputs agree on what a
// change is called and how a value reads.
import type { ActionType, FieldChange, ResourceChange } from '../../resources/types.js';
import type { PlanSummary } from '../planner.js';
import { redactSecretsIn } from '../../manifests/redact.js';
import type { RetainedReason } from '../planner.js';

/** One-character marker per action, as in a diff. */
export const ACTION_SYMBOL: Record<ActionType, string> = {
  create: '+',
  update: '~',
  replace: '-/+',
  delete: '-',
  'no-op': ' ',
};

export type FieldOp = '+' | '-' | '~';

export function fieldOp(change: FieldChange): FieldOp {
  if (change.before === undefined) return '+';
  if (change.after === undefined) return '-';
  return '~';
}

/** Compact, unambiguous rendering: strings quoted, structures as one-line JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'bigint') return value.toString();
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return redactSecretsIn(text ?? String(value));
}

/** "spec.memory: "2GiB" → "4GiB"" / "spec.bridge: "br0"" */
export function formatFieldChange(change: FieldChange): string {
  switch (fieldOp(change)) {
    case '+':
      return `${change.path}: ${formatValue(change.after)}`;
    case '-':
      return `${change.path}: ${formatValue(change.before)}`;
    case '~':
      return `${change.path}: ${formatValue(change.before)} → ${formatValue(change.after)}`;
  }
}

export function summaryLine(summary: PlanSummary): string {
  const parts = [
    `${summary.create} to create`,
    `${summary.update} to update`,
    `${summary.replace} to replace`,
    `${summary.delete} to delete`,
    `${summary.noOp} unchanged`,
  ];
  if (summary.refused > 0) parts.push(`${summary.refused} refused`);
  if (summary.restartPending > 0) parts.push(`${summary.restartPending} restart pending`);
  return parts.join(', ');
}

export const RETAINED_REASON: Record<RetainedReason, string> = {
  'prune-disabled': 'annotated virtkeeper.io/prune: disabled',
  'prune-not-requested': 'would be deleted with --prune',
  'prune-blocked': 'kept: prune refused (see below)',
};

/** What the daemon found, in one line: the guard's message and its dates. */
export function stalledLine(stall: NonNullable<ResourceChange['stalled']>): string {
  return `${redactSecretsIn(stall.message)} (the daemon found it so since ${stall.since}; it tries again at ${stall.retryAt})`;
}
