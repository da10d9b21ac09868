// `virtkeeper apply --json` (documented in docs/plan-format.md): the plan that ran, in the plan's
// own JSON shape, and what became of each change. A public contract like the plan's: add
// fields, never rename or remove them without bumping format_version.
import { redactSecretsIn } from '../../manifests/redact.js';
import type { ActionType } from '../../resources/types.js';
import type { ApplyReport, ChangeOutcome } from '../executor.js';
import type { Plan } from '../planner.js';
import { toJsonPlan, type JsonPlan } from './json.js';

export const APPLY_FORMAT_VERSION = '1';

export interface JsonChangeResult {
  address: string;
  action: ActionType;
  outcome: ChangeOutcome;
  duration_ms: number;
  /** Steps completed before the outcome (all of them on success). */
  steps_done: number;
  /** null unless failed, refused or skipped. */
  error: { code: number | null; code_name: string | null; message: string; step: string | null } | null;
}

export interface JsonApply {
  format_version: typeof APPLY_FORMAT_VERSION;
  connect: string;
  plan: JsonPlan;
  /** Every change of the plan, in plan order; empty when nothing ran (plan errors, a refused prune, a cancel). */
  results: JsonChangeResult[];
  counts: Record<ChangeOutcome, number>;
  /** Nothing failed, was refused or skipped, and the plan could run. */
  ok: boolean;
  /** Why nothing ran, in one line; null when the plan ran. */
  not_run: string | null;
}

const NO_COUNTS: Record<ChangeOutcome, number> = { succeeded: 0, unchanged: 0, failed: 0, refused: 0, skipped: 0 };

/** The document for a plan that ran (`report`) or did not (`notRun` says why). */
export function toJsonApply(plan: Plan, connect: string, outcome: { report: ApplyReport } | { notRun: string }): JsonApply {
  const report = 'report' in outcome ? outcome.report : undefined;
  return {
    format_version: APPLY_FORMAT_VERSION,
    connect,
    plan: toJsonPlan(plan, connect),
    results: (report?.results ?? []).map((r) => ({
      address: r.key,
      action: r.action,
      outcome: r.outcome,
      duration_ms: Math.round(r.durationMs),
      steps_done: r.stepsDone,
      error: r.error
        ? {
            code: r.error.code ?? null,
            code_name: r.error.codeName ?? null,
            message: redactSecretsIn(r.error.message),
            step: r.error.step ?? null,
          }
        : null,
    })),
    counts: report ? { ...report.counts } : { ...NO_COUNTS },
    ok: report?.ok ?? false,
    not_run: 'notRun' in outcome ? outcome.notRun : null,
  };
}

export function renderApplyJson(...args: Parameters<typeof toJsonApply>): string {
  return JSON.stringify(toJsonApply(...args), null, 2) + '\n';
}
