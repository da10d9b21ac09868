// `virtkeeper apply DIR --connect URI [--prune]`: re-plans on a read-write connection and carries
// the plan out. Exit 0 when every change succeeded, 1 when anything failed, was refused or was
// skipped, or when the manifests are invalid (then nothing is touched).
import type { Command } from 'commander';
import { LibvirtClient } from '../../libvirt/client.js';
import { defaultRegistry, type KindRegistry } from '../../resources/registry.js';
import { DEFAULT_CONCURRENCY, executePlan } from '../../reconciler/executor.js';
import { PersistentInventory } from '../../reconciler/inventory.js';
import { renderApplyReport, formatResult } from '../../reconciler/render/apply.js';
import { renderHuman } from '../../reconciler/render/human.js';
import { connectOption } from '../connect-option.js';
import {
  describeFailure,
  inventoryOptions,
  loadDesiredOrReport,
  planAgainstHost,
  processIo,
  resolveColor,
  type CommandIo,
  type InventoryLocation,
} from './plan.js';

export interface ApplyCommandOptions extends InventoryLocation {
  connect: string;
  prune?: boolean;
  concurrency?: number;
  color?: boolean;
  registry?: KindRegistry;
}

export async function runApply(dir: string, options: ApplyCommandOptions, io: CommandIo): Promise<number> {
  const desired = await loadDesiredOrReport(dir, io);
  if (!desired) return 1;
  const registry = options.registry ?? defaultRegistry;
  let client: LibvirtClient | undefined;
  let store: PersistentInventory | undefined;
  try {
    client = await LibvirtClient.connect(options.connect, { readOnly: false });
    const { plan, inventory, inventoryFile } = await planAgainstHost(client, desired, registry, {
      prune: options.prune ?? false,
      ...(options.inventory !== undefined ? { inventory: options.inventory } : {}),
      ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    });
    io.stdout(renderHuman(plan, { connect: options.connect, color: options.color ?? false }));
    if (plan.errors.length > 0) {
      io.stderr('plan has errors; nothing was changed\n');
      return 1;
    }
    io.stdout('\n');
    store = new PersistentInventory(inventoryFile, inventory);
    const report = await executePlan(plan, {
      registry,
      client,
      desired,
      ownership: store,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      // Outcomes are printed as they happen (completion order); the report then repeats only the failures.
      onEvent: (e) => {
        if (e.type === 'done' && e.result.outcome !== 'unchanged') io.stdout(`${formatResult(e.result)}\n`);
        // Waits (a shutdown given time before a forced power-off) are shown as they happen.
        if (e.type === 'progress') io.stdout(`${e.change.key}: ${e.message}\n`);
      },
    });
    await store.flush();
    io.stdout(`\n${renderApplyReport(report, { results: false })}`);
    return report.ok ? 0 : 1;
  } catch (err) {
    await store?.flush().catch(() => undefined);
    io.stderr(`apply failed: ${describeFailure(err)}\n`);
    return 1;
  } finally {
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
    .option('--prune', 'delete recorded objects whose manifests are gone (never those annotated virtkeeper.io/prune: disabled)')
    .option('--concurrency <n>', `changes to run at once (default ${DEFAULT_CONCURRENCY})`, parseConcurrency)
    .option('--color', 'force coloured output')
    .option('--no-color', 'never colour output');
  inventoryOptions(command).action(async (dir: string, opts: ApplyCommandOptions) => {
    process.exitCode = await runApply(dir, { ...opts, color: resolveColor(opts.color) }, processIo());
  });
}
