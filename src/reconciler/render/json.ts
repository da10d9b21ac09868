// The machine-readable plan (documented in docs/plan-format.md). Field names are a public
// contract for CI scripts: add fields, never rename or remove them without bumping format_version.
import type { ActionType, ChangeClass, ResourceChange } from '../../resources/types.js';
import type { Plan } from '../planner.js';
import { redactSecretsIn, redactSecretsInValue } from '../../manifests/redact.js';

export const PLAN_FORMAT_VERSION = '1';

export interface JsonFieldChange {
  path: string;
  /** null: absent on the host. */
  before: unknown;
  /** null: removed by the manifest. */
  after: unknown;
  class: ChangeClass;
}

export interface JsonResourceChange {
  address: string;
  kind: string;
  name: string;
  action: ActionType;
  reason: string;
  restart_required: boolean;
  /** Fields the definition has but the running object does not yet (until it restarts). */
  restart_pending?: Array<{ path: string; running: unknown; defined: unknown }>;
  refused?: string;
  /** The daemon found this object stalled with this manifest (see docs/daemon.md). */
  stalled?: { message: string; since: string; retry_at: string };
  depends_on: string[];
  changes: JsonFieldChange[];
  steps: string[];
}

export interface JsonPlan {
  format_version: typeof PLAN_FORMAT_VERSION;
  connect: string;
  summary: { create: number; update: number; replace: number; delete: number; no_op: number; refused: number; restart_pending: number };
  resource_changes: JsonResourceChange[];
  retained: Array<{ address: string; reason: string }>;
  forgotten: string[];
  errors: Array<{ address: string | null; message: string }>;
  /** Why the empty-tree guard stopped prune; null when it did not. */
  prune_blocked: string | null;
}

export function toJsonPlan(plan: Plan, connect: string): JsonPlan {
  const { summary } = plan;
  return {
    format_version: PLAN_FORMAT_VERSION,
    connect,
    summary: {
      create: summary.create,
      update: summary.update,
      replace: summary.replace,
      delete: summary.delete,
      no_op: summary.noOp,
      refused: summary.refused,
      restart_pending: summary.restartPending,
    },
    resource_changes: plan.changes.map((c) => resourceChange(c, plan.waitsFor.get(c.key) ?? [])),
    retained: plan.retained.map((r) => ({ address: r.key, reason: r.reason })),
    forgotten: [...plan.forgotten],
    errors: plan.errors.map((e) => ({ address: e.key ?? null, message: redactSecretsIn(e.message) })),
    prune_blocked: plan.pruneBlocked ?? null,
  };
}

function resourceChange(change: ResourceChange, waitsFor: readonly string[]): JsonResourceChange {
  const out: JsonResourceChange = {
    address: change.key,
    kind: change.kind,
    name: change.name,
    action: change.action,
    reason: redactSecretsIn(change.reason),
    restart_required: change.restartRequired,
    depends_on: [...waitsFor],
    changes: change.changes.map((f) => ({
      path: f.path,
      before: jsonValue(f.before),
      after: jsonValue(f.after),
      class: f.class,
    })),
    steps: change.steps.map((s) => s.op),
  };
  if (change.refused !== undefined) out.refused = redactSecretsIn(change.refused);
  if (change.stalled)
    out.stalled = { message: redactSecretsIn(change.stalled.message), since: change.stalled.since, retry_at: change.stalled.retryAt };
  if (change.restartPending?.length) {
    out.restart_pending = change.restartPending.map((p) => ({
      path: p.path,
      running: jsonValue(p.running),
      defined: jsonValue(p.defined),
    }));
  }
  return out;
}

function jsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  return redactSecretsInValue(v);
}

export function renderJson(plan: Plan, connect: string): string {
  return JSON.stringify(toJsonPlan(plan, connect), null, 2) + '\n';
}
