// The plan as a person reads it in a terminal: one block per object that changes, one line per
// field. Colour is the caller's decision (TTY or --color); without it the text is golden-stable.
import type { ActionType, ResourceChange } from '../../resources/types.js';
import { isRestartPending, type Plan } from '../planner.js';
import { describePending } from '../../resources/common/pending.js';
import { redactSecretsIn } from '../../manifests/redact.js';
import { displayedChanges } from './expand.js';
import { ACTION_SYMBOL, fieldOp, formatFieldChange, RETAINED_REASON, stalledLine, summaryLine, type FieldOp } from './format.js';

export interface HumanRenderOptions {
  /** Shown in the header; tests pass a fixed label. */
  connect: string;
  color: boolean;
}

// alert: bold bright red, readable on dark terminals where plain red is not.
const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  alert: '\x1b[1;91m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  magenta: '\x1b[35m',
} as const;
type Style = Exclude<keyof typeof ANSI, 'reset'>;

const ACTION_STYLE: Record<ActionType, Style> = { create: 'green', update: 'yellow', replace: 'magenta', delete: 'red', 'no-op': 'dim' };
const FIELD_STYLE: Record<FieldOp, Style> = { '+': 'green', '-': 'red', '~': 'yellow' };

export function renderHuman(plan: Plan, options: HumanRenderOptions): string {
  const paint = (style: Style, text: string): string => (options.color ? `${ANSI[style]}${text}${ANSI.reset}` : text);
  const lines: string[] = [`virtkeeper plan for ${options.connect}`, ''];

  // A refused no-op (an object another source owns) is news: the plan must say why it is left
  // alone; a no-op that still waits for a restart is shown too: the host does not match yet.
  const changing = plan.changes.filter((c) => c.action !== 'no-op' || c.refused !== undefined || isRestartPending(c));
  if (changing.length === 0 && plan.errors.length === 0) {
    lines.push(`No changes: ${plan.summary.noOp} object(s) match their manifests.`, '');
  }
  for (const change of changing) lines.push(...renderChange(change, paint), '');

  if (plan.retained.length > 0) {
    lines.push('Kept (recorded, no longer in the manifests):');
    for (const r of plan.retained) lines.push(`  ${r.key}: ${RETAINED_REASON[r.reason]}`);
    lines.push('');
  }
  if (plan.forgotten.length > 0) {
    lines.push('Gone from the host (inventory entry is dropped by apply):');
    for (const key of plan.forgotten) lines.push(`  ${key}`);
    lines.push('');
  }
  for (const error of plan.errors) {
    lines.push(paint('alert', `Error: ${error.key ? `${error.key}: ` : ''}${redactSecretsIn(error.message)}`));
  }
  if (plan.errors.length > 0) lines.push('');
  if (plan.pruneBlocked !== undefined) lines.push(paint('alert', plan.pruneBlocked), '');
  lines.push(`${paint('bold', 'Plan:')} ${summaryLine(plan.summary)}.`);
  return lines.join('\n') + '\n';
}

function renderChange(change: ResourceChange, paint: (style: Style, text: string) => string): string[] {
  const style = ACTION_STYLE[change.action];
  const flags: string[] = [];
  if (change.restartRequired) flags.push(paint('yellow', '(restart required)'));
  if (isRestartPending(change)) flags.push(paint('yellow', '(restart pending)'));
  if (change.refused) flags.push(paint('alert', `REFUSED: ${redactSecretsIn(change.refused)}`));
  const symbol = change.action === 'no-op' && isRestartPending(change) ? '!' : ACTION_SYMBOL[change.action];
  const action = change.action === 'no-op' && isRestartPending(change) ? 'restart pending' : change.action;
  const header = `${paint(style, symbol.padStart(3))} ${paint('bold', change.key)} ${paint(style, action)}`;
  const lines = [[header, ...flags].join(' ')];
  // A pending-only change's reason is its pending lines, printed below.
  const pendingOnly = change.action === 'no-op' && isRestartPending(change);
  if (change.reason && change.reason !== change.refused && !pendingOnly)
    lines.push(`      ${paint('dim', redactSecretsIn(change.reason))}`);
  // How a field reaches the host (live/redefine/replace) only matters for an object that exists:
  // on a create every field is simply part of the new definition.
  const showClass = change.action !== 'create';
  for (const field of change.changes.flatMap(displayedChanges)) {
    const op = fieldOp(field);
    const classTag = showClass ? `  ${paint('dim', `[${field.class}]`)}` : '';
    const why = field.reason ? ` ${paint('dim', `(${field.reason})`)}` : '';
    lines.push(`      ${paint(FIELD_STYLE[op], `${op} ${formatFieldChange(field)}`)}${classTag}${why}`);
  }
  for (const p of change.restartPending ?? []) lines.push(`      ${paint('yellow', `! restart pending: ${describePending(p)}`)}`);
  if (change.stalled) lines.push(`      ${paint('yellow', `! stalled: ${stalledLine(change.stalled)}`)}`);
  return lines;
}
