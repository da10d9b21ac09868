// `virtkeeper apply DIR --connect URI [--prune]`: re-plans on a read-write connection and carries
// the plan out. Exit 0 when every change succeeded, 1 when anything failed, was refused or was
// skipped, or when the manifests are invalid (then nothing is touched).
//
// Order matters for "nothing is ever lost": the state store is opened (and so proven writable)
// before the host is contacted, the host lock is taken before anything is read for planning,
// and every change writes its intent before its first libvirt call.
import type { Command } from 'commander';
import { LibvirtClient } from '../../libvirt/client.js';
import { defaultRegistry, type KindRegistry } from '../../resources/registry.js';
import { DEFAULT_CONCURRENCY, executePlan } from '../../reconciler/executor.js';
import { renderApplyReport, formatResult } from '../../reconciler/render/apply.js';
import { renderHuman } from '../../reconciler/render/human.js';
import type { HostLock, HostState } from '../../state/index.js';
import { connectOption } from '../connect-option.js';
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
import { closeQuietly, describeFailure, loadDesiredOrReport, planAgainstHost, processIo, resolveColor, type CommandIo } from './plan.js';

export interface ApplyCommandOptions extends StateLocation, PruneGuardFlags, LockFlags {
  connect: string;
  prune?: boolean;
  concurrency?: number;
  color?: boolean;
  registry?: KindRegistry;
}

export async function runApply(dir: string, options: ApplyCommandOptions, io: CommandIo): Promise<number> {
  const desired = await loadDesiredOrReport(dir, io);
  if (!desired) return 1;
  const store = openStore(options, io);
  if (!store) return 1;
  const registry = options.registry ?? defaultRegistry;
  let client: LibvirtClient | undefined;
  let state: HostState | undefined;
  let lock: HostLock | undefined;
  try {
    const owner = await ownerOf(dir, options);
    client = await LibvirtClient.connect(options.connect, { readOnly: false });
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
      persistIntents: true,
    });
    io.stdout(renderHuman(plan, { connect: options.connect, color: options.color ?? false }));
    if (plan.errors.length > 0) {
      io.stderr('plan has errors; nothing was changed\n');
      return 1;
    }
    if (plan.pruneBlocked !== undefined) {
      io.stderr(`${plan.pruneBlocked}; nothing was changed\n`);
      return 1;
    }
    io.stdout('\n');
    const report = await executePlan(plan, {
      registry,
      client,
      desired,
      ownership: state,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      // Outcomes are printed as they happen (completion order); the report then repeats only the failures.
      onEvent: (e) => {
        if (e.type === 'done' && e.result.outcome !== 'unchanged') io.stdout(`${formatResult(e.result)}\n`);
      },
    });
    await state.flush();
    io.stdout(`\n${renderApplyReport(report, { results: false })}`);
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
    .option('--prune', "delete this owner's recorded objects whose manifests are gone (never those annotated virtkeeper.io/prune: disabled)")
    .option('--concurrency <n>', `changes to run at once (default ${DEFAULT_CONCURRENCY})`, parseConcurrency);
  pruneGuardOptions(lockOption(stateOptions(command)))
    .option('--color', 'force coloured output')
    .option('--no-color', 'never colour output')
    .action(async (dir: string, opts: ApplyCommandOptions) => {
      process.exitCode = await runApply(dir, { ...opts, color: resolveColor(opts.color) }, processIo());
    });
}
