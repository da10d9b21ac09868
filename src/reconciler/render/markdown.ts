// The plan as a pull-request comment: a summary and a table up front, field diffs folded away
// in ```diff blocks (which GitHub and GitLab colour).
import type { ResourceChange } from '../../resources/types.js';
import { isRestartPending, type Plan } from '../planner.js';
import { redactSecretsIn } from '../../manifests/redact.js';
import { displayedChanges } from './expand.js';
import { fieldOp, formatFieldChange, formatValue, RETAINED_REASON, stalledLine, summaryLine } from './format.js';

export interface MarkdownRenderOptions {
  connect: string;
  /** Characters the field-change details may take the output to; default MARKDOWN_COMMENT_LIMIT. */
  limit?: number;
}

/** GitHub rejects comments over 65536 characters; stay clear of it with room for a wrapper. */
export const MARKDOWN_COMMENT_LIMIT = 60_000;

export function renderMarkdown(plan: Plan, options: MarkdownRenderOptions): string {
  const lines: string[] = ['### virtkeeper plan', '', `Host: \`${code(options.connect)}\``, ''];
  for (const error of plan.errors)
    lines.push(`> **Error:** ${cell(redactSecretsIn(`${error.key ? `${error.key}: ` : ''}${error.message}`))}`, '');
  if (plan.pruneBlocked !== undefined) lines.push(`> **Prune refused:** ${cell(plan.pruneBlocked)}`, '');

  lines.push(`**Plan:** ${summaryLine(plan.summary)}.`, '');
  const changing = plan.changes.filter((c) => c.action !== 'no-op' || c.refused !== undefined || isRestartPending(c));
  if (changing.length === 0) {
    lines.push('No changes: the host matches the manifests.', '');
  } else {
    lines.push('| | Object | Action | Notes |', '|---|---|---|---|');
    for (const c of changing)
      lines.push(`| ${c.refused ? REFUSED_ICON : ICON[c.action]} | \`${code(c.key)}\` | ${c.action} | ${cell(notes(c))} |`);
    lines.push('');
    const folded = ['<details><summary>Field changes</summary>', ''];
    for (const c of changing) folded.push(...details(c));
    folded.push('</details>', '');
    const size = [...lines, ...folded].reduce((n, l) => n + l.length + 1, 0);
    if (size <= (options.limit ?? MARKDOWN_COMMENT_LIMIT)) lines.push(...folded);
    else lines.push('_Field changes left out: too long for a comment. Run `virtkeeper plan` to see them._', '');
  }
  if (plan.retained.length > 0) {
    lines.push('Kept (recorded, no longer in the manifests):', '');
    for (const r of plan.retained) lines.push(`- \`${code(r.key)}\`: ${RETAINED_REASON[r.reason]}`);
    lines.push('');
  }
  return lines.join('\n');
}

const ICON: Record<ResourceChange['action'], string> = {
  create: '➕',
  update: '✏️',
  replace: '♻️',
  delete: '🗑️',
  'no-op': '',
};

/** A refused change is not the update (or create) its action says: it will not happen. */
const REFUSED_ICON = '⛔';

function notes(c: ResourceChange): string {
  const parts: string[] = [];
  if (c.refused) parts.push(`**refused:** ${c.refused}`);
  if (c.restartRequired) parts.push('**restart required**');
  if (isRestartPending(c)) parts.push('**restart pending**');
  if (c.stalled) parts.push(`**stalled:** ${stalledLine(c.stalled)}`);
  if (c.reason && c.reason !== c.refused) parts.push(c.reason);
  return redactSecretsIn(parts.join('; '));
}

function details(c: ResourceChange): string[] {
  const out = [`**\`${code(c.key)}\`** (${c.action})`, '', '```diff'];
  // As in the human plan: how a field reaches the host means nothing on a create.
  const tag = (field: { class: string }) => (c.action === 'create' ? '' : `  [${field.class}]`);
  for (const field of c.changes.flatMap(displayedChanges)) {
    const op = fieldOp(field);
    // diff syntax only colours + and -: an in-place update shows as a - / + pair.
    if (op === '~') {
      out.push(`- ${field.path}: ${formatValue(field.before)}`, `+ ${field.path}: ${formatValue(field.after)}${tag(field)}`);
    } else {
      out.push(`${op} ${formatFieldChange(field)}${tag(field)}`);
    }
  }
  if (c.changes.length === 0) out.push(`  (${redactSecretsIn(c.steps.map((s) => s.description).join('; ')) || 'no field changes'})`);
  out.push('```', '');
  return out;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return text.replace(/`/g, "'");
}
