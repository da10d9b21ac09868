// Runs the plan/apply/export commands in-process with collected output, so integration tests see
// exit codes and text without paying for a subprocess each time.
import { runApply, type ApplyCommandOptions } from '../../../src/cli/commands/apply.js';
import { runExport, type ExportCommandOptions } from '../../../src/cli/commands/export.js';
import { runPlan, type CommandIo, type PlanCommandOptions } from '../../../src/cli/commands/plan.js';
import type { JsonPlan } from '../../../src/reconciler/render/json.js';

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { io: CommandIo; out: () => { stdout: string; stderr: string } } {
  let stdout = '';
  let stderr = '';
  return { io: { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, out: () => ({ stdout, stderr }) };
}

export async function plan(dir: string, options: PlanCommandOptions): Promise<CommandRun> {
  const c = collector();
  const code = await runPlan(dir, options, c.io);
  return { code, ...c.out() };
}

export async function planJson(dir: string, options: PlanCommandOptions): Promise<JsonPlan> {
  const run = await plan(dir, { ...options, json: true });
  if (run.code !== 0) throw new Error(`plan failed (${run.code}): ${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as JsonPlan;
}

export async function apply(dir: string, options: ApplyCommandOptions): Promise<CommandRun> {
  const c = collector();
  const code = await runApply(dir, options, c.io);
  return { code, ...c.out() };
}

export async function exportManifests(options: ExportCommandOptions): Promise<CommandRun> {
  const c = collector();
  const code = await runExport(options, c.io);
  return { code, ...c.out() };
}

/** Address → action of every change that is not a no-op. */
export function actions(p: JsonPlan): Record<string, string> {
  return Object.fromEntries(p.resource_changes.filter((c) => c.action !== 'no-op').map((c) => [c.address, c.action]));
}
