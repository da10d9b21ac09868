// `virtkeeper apply DIR --connect URI [--prune]`: re-plans on a read-write connection, asks at a
// terminal (unless --auto-approve), and carries the plan out. Exit 0 when every change succeeded,
// 1 when anything failed, was refused or was skipped, when the apply was cancelled, or when the
// manifests are invalid (then nothing is touched).
//
// Order matters for "nothing is ever lost": the state store is opened (and so proven writable)
// before the host is contacted, the host lock is taken before anything is read for planning,
// and every change writes its intent before its first libvirt call.
import { realpath } from 'node:fs/promises';
import type { Command } from 'commander';
import { LibvirtClient } from '../../libvirt/client.js';
import { defaultRegistry, type KindRegistry } from '../../resources/registry.js';
import { DEFAULT_CONCURRENCY, executePlan, type ExecutorEvent } from '../../reconciler/executor.js';
import { formatChangeError, renderApplyReport } from '../../reconciler/render/apply.js';
import { renderApplyJson } from '../../reconciler/render/apply-json.js';
import { renderHuman } from '../../reconciler/render/human.js';
import type { HostLock, HostState } from '../../state/index.js';
import { callTimeoutOption, connectOption } from '../connect-option.js';
import {
  lockOption,
  openHostState,
  openStore,
  ownerOf,
  pruneGuardOptions,
  stateOptions,
  type LockFlags,
  type PruneGuardFlags,
  type StateLocation,
} from '../state-options.js';
import { applyProgress } from '../apply-progress.js';
import {
  closeQuietly,
  describeFailure,
  loadDesiredOrReport,
  planAgainstHost,
  processIo,
  resolveColor,
  targetKeys,
  targetOption,
  type CommandIo,
} from './plan.js';

export interface ApplyCommandOptions extends StateLocation, PruneGuardFlags, LockFlags {
  connect: string;
  /** --call-timeout in ms. */
  callTimeout?: number;
  prune?: boolean;
  concurrency?: number;
  color?: boolean;
  /** Do not ask before changing the host (apply never asks without a terminal anyway). */
  autoApprove?: boolean;
  /** One JSON document on stdout (docs/plan-format.md, "apply --json"). */
  json?: boolean;
  /** --target KIND/NAME (repeatable): only these and what they refer to. */
  target?: string[];
  registry?: KindRegistry;
}

/** The question apply asks at a terminal; only this exact answer goes ahead, as with terraform. */
export const APPROVAL_ANSWER = 'yes';

export async function runApply(dir: string, options: ApplyCommandOptions, io: CommandIo): Promise<number> {
  if (options.json && io.ask && !options.autoApprove) {
    io.stderr('--json cannot ask for approval on a terminal: add --auto-approve\n');
    return 1;
  }
  const desired = await loadDesiredOrReport(dir, io);
  if (!desired) return 1;
  const registry = options.registry ?? defaultRegistry;
  const targets = targetKeys(options.target, desired, registry, io);
  if (targets === null) return 1;
  const store = openStore(options, io);
  if (!store) return 1;
  let client: LibvirtClient | undefined;
  let state: HostState | undefined;
  let lock: HostLock | undefined;
  try {
    const owner = await ownerOf(dir, options);
    client = await LibvirtClient.connect(options.connect, {
      readOnly: false,
      ...(options.callTimeout !== undefined ? { callTimeoutMs: options.callTimeout } : {}),
    });
    state = await openHostState(store, client, owner, options, io);
    lock = await store.acquireLock({
      hostKey: state.host.key,
      command: 'apply',
      owner,
      timeoutMs: (options.lockTimeout ?? 0) * 1000,
      onNotice: (line) => io.stderr(`${line}\n`),
    });
    const { plan } = await planAgainstHost(client, desired, registry, state, {
      prune: options.prune ?? false,
      allowEmpty: options.allowEmpty ?? false,
      ...(options.pruneMax !== undefined ? { pruneMax: options.pruneMax } : {}),
      ...(targets ? { only: targets } : {}),
      persistIntents: true,
    });
    const notRun = (why: string): number => {
      if (options.json) io.stdout(renderApplyJson(plan, options.connect, { notRun: why }));
      io.stderr(`${why}; nothing was changed\n`);
      return 1;
    };
    if (!options.json) io.stdout(renderHuman(plan, { connect: options.connect, color: options.color ?? false }));
    if (plan.errors.length > 0) return notRun('plan has errors');
    if (plan.pruneBlocked !== undefined) return notRun(plan.pruneBlocked);
    const changing = plan.changes.filter((c) => c.action !== 'no-op');
    if (changing.length > 0 && !options.autoApprove && io.ask) {
      const answer = await io.ask(
        `\nApply these ${changing.length} change(s) to ${options.connect}? Only '${APPROVAL_ANSWER}' goes ahead: `,
      );
      if (answer.trim() !== APPROVAL_ANSWER) return notRun('apply cancelled');
    }
    if (!options.json) io.stdout('\n');
    const progress = options.json ? undefined : applyProgress((t) => io.stdout(t), { live: io.terminal ?? false, total: changing.length });
    const report = await executePlan(plan, {
      registry,
      client,
      desired,
      ownership: state,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      ...(progress ? { onEvent: (e: ExecutorEvent) => progress.event(e) } : {}),
    });
    progress?.finish();
    // For `virtkeeper status`: where these manifests live, and how each change ended.
    state.rememberSource(await realpath(dir));
    for (const r of report.results) state.recordOutcome(r.key, r.outcome, r.error ? formatChangeError(r.error) : undefined);
    await state.flush();
    io.stdout(options.json ? renderApplyJson(plan, options.connect, { report }) : `\n${renderApplyReport(report, { results: false })}`);
    return report.ok ? 0 : 1;
  } catch (err) {
    await state?.flush().catch(() => undefined);
    io.stderr(`apply failed: ${describeFailure(err)}\n`);
    return 1;
  } finally {
    lock?.release();
    closeQuietly(store);
    await client?.close().catch(() => undefined);
  }
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--concurrency wants a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

export function registerApplyCommand(program: Command): void {
  const command = program
    .command('apply')
    .description('make the host match the manifests; exit 0 when every change succeeded, 1 otherwise')
    .argument('<dir>', 'manifest directory')
    .addOption(connectOption())
    .addOption(callTimeoutOption())
    .option(
      '--prune',
      "delete this owner's recorded objects whose manifests are gone (never those annotated virtkeeper.io/prune: disabled)",
    )
    .option('--concurrency <n>', `changes to run at once (default ${DEFAULT_CONCURRENCY})`, parseConcurrency)
    .option('--auto-approve', 'do not ask before changing the host (apply asks only at a terminal)')
    .option('--json', "one JSON document on stdout: the plan and each change's outcome (docs/plan-format.md)");
  targetOption(command);
  pruneGuardOptions(lockOption(stateOptions(command)))
    .option('--color', 'force coloured output')
    .option('--no-color', 'never colour output')
    .action(async (dir: string, opts: ApplyCommandOptions) => {
      process.exitCode = await runApply(dir, { ...opts, color: resolveColor(opts.color) }, processIo());
    });
}
