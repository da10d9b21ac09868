// `virtkeeper plan DIR --connect URI`: what apply would do, read through a read-only connection.
// Exit codes: 0 success; with --detailed-exitcode 0 no changes, 2 changes; 1 error either way.
import { Command } from 'commander';
import { callTimeoutOption, connectOption } from '../connect-option.js';
import { LibvirtClient } from '../../libvirt/client.js';
import { LibvirtError } from '../../libvirt/errors.js';
import { formatError } from '../../manifests/errors.js';
import { loadManifests } from '../../manifests/loader.js';
import type { DesiredState } from '../../manifests/types.js';
import { ManifestRootError } from '../../manifests/walk.js';
import { defaultRegistry, type KindRegistry } from '../../resources/registry.js';
import { defaultInventoryPath, loadInventory, type HostIdentity, type Inventory } from '../../reconciler/inventory.js';
import { readHostIdentity, readLiveState } from '../../reconciler/live-state.js';
import { buildPlan, hasChanges, type Plan } from '../../reconciler/planner.js';
import { renderHuman } from '../../reconciler/render/human.js';
import { renderJson } from '../../reconciler/render/json.js';
import { renderMarkdown } from '../../reconciler/render/markdown.js';

/** Where command output goes; the CLI writes to the process, tests collect strings. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export function processIo(): CommandIo {
  return { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) };
}

/** Options shared by plan and apply for finding the inventory. */
export interface InventoryLocation {
  /** Explicit inventory file; wins over stateDir. */
  inventory?: string;
  /** Base directory; the file is <stateDir>/<host-key>/inventory.json. */
  stateDir?: string;
}

export interface PlanCommandOptions extends InventoryLocation {
  connect: string;
  /** --call-timeout in ms. */
  callTimeout?: number;
  json?: boolean;
  markdown?: boolean;
  color?: boolean;
  detailedExitcode?: boolean;
  prune?: boolean;
  /** Kinds to use; tests inject fakes. */
  registry?: KindRegistry;
}

/** Loads and validates DIR; on any error prints the loader's errors (file:line:col path: message) and returns undefined. */
export async function loadDesiredOrReport(dir: string, io: CommandIo): Promise<DesiredState | undefined> {
  try {
    const result = await loadManifests(dir);
    if (result.errors.length === 0) return result.state;
    const n = result.errors.length;
    io.stderr(`${result.errors.map(formatError).join('\n')}\n${n} error${n === 1 ? '' : 's'} in ${dir}; nothing was changed\n`);
    return undefined;
  } catch (err) {
    if (err instanceof ManifestRootError) {
      io.stderr(`${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}

export function inventoryPath(host: HostIdentity, where: InventoryLocation): string {
  return where.inventory ?? defaultInventoryPath(host, where.stateDir);
}

export interface HostPlan {
  plan: Plan;
  host: HostIdentity;
  inventory: Inventory;
  inventoryFile: string;
}

/** Reads the host (live objects, identity, inventory) and plans against it. */
export async function planAgainstHost(
  client: LibvirtClient,
  desired: DesiredState,
  registry: KindRegistry,
  options: InventoryLocation & { prune: boolean },
): Promise<HostPlan> {
  const host = await readHostIdentity(client);
  const inventoryFile = inventoryPath(host, options);
  const inventory = await loadInventory(inventoryFile, host);
  const live = await readLiveState(client, registry);
  const plan = buildPlan({ desired, live, inventory, registry, options: { prune: options.prune } });
  return { plan, host, inventory, inventoryFile };
}

/** Message of an error that ends a command: libvirt's code and text where there is one. */
export function describeFailure(err: unknown): string {
  if (err instanceof LibvirtError) return `libvirt error ${err.code} (${err.codeName}): ${err.libvirtMessage}`;
  return err instanceof Error ? err.message : String(err);
}

export async function runPlan(dir: string, options: PlanCommandOptions, io: CommandIo): Promise<number> {
  if (options.json && options.markdown) {
    io.stderr('--json and --markdown are exclusive\n');
    return 1;
  }
  const desired = await loadDesiredOrReport(dir, io);
  if (!desired) return 1;
  let client: LibvirtClient | undefined;
  try {
    client = await LibvirtClient.connect(options.connect, {
      readOnly: true,
      ...(options.callTimeout !== undefined ? { callTimeoutMs: options.callTimeout } : {}),
    });
    const { plan } = await planAgainstHost(client, desired, options.registry ?? defaultRegistry, {
      prune: options.prune ?? false,
      ...(options.inventory !== undefined ? { inventory: options.inventory } : {}),
      ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    });
    io.stdout(renderPlan(plan, options));
    return planExitCode(plan, options.detailedExitcode ?? false);
  } catch (err) {
    io.stderr(`plan failed: ${describeFailure(err)}\n`);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/**
 * 1 when the plan has errors or refuses a change (apply would not get the host there: CI must not
 * read that as "changes to apply"); with --detailed-exitcode 2 for changes, 0 for none.
 */
export function planExitCode(plan: Plan, detailedExitcode: boolean): 0 | 1 | 2 {
  if (plan.errors.length > 0 || plan.summary.refused > 0) return 1;
  return detailedExitcode && hasChanges(plan) ? 2 : 0;
}

function renderPlan(plan: Plan, options: PlanCommandOptions): string {
  if (options.json) return renderJson(plan, options.connect);
  if (options.markdown) return renderMarkdown(plan, { connect: options.connect });
  return renderHuman(plan, { connect: options.connect, color: options.color ?? false });
}

/** Colour when asked (--color / --no-color), else when stdout is a terminal and NO_COLOR is unset. */
export function resolveColor(flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}


export function inventoryOptions(command: Command): Command {
  return command
    .option('--state-dir <dir>', 'base directory of inventories (default $XDG_STATE_HOME/virtkeeper or ~/.local/state/virtkeeper)')
    .option('--inventory <file>', 'inventory file to use instead of <state-dir>/<host-key>/inventory.json');
}

export function registerPlanCommand(program: Command): void {
  const command = program
    .command('plan')
    .description('show what apply would change on the host (read-only); exit 0 ok, 1 error; with --detailed-exitcode 0 no changes, 2 changes')
    .argument('<dir>', 'manifest directory')
    .addOption(connectOption())
    .addOption(callTimeoutOption())
    .option('--json', 'machine-readable plan (docs/plan-format.md)')
    .option('--markdown', 'plan as Markdown, e.g. for a pull-request comment')
    .option('--color', 'force coloured output')
    .option('--no-color', 'never colour output')
    .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when something would, 1 on error')
    .option('--prune', 'include deletions of recorded objects whose manifests are gone');
  // --color declared before --no-color leaves the default undefined: "not given" stays distinguishable.
  inventoryOptions(command).action(async (dir: string, opts: PlanCommandOptions) => {
    const io = processIo();
    process.exitCode = await runPlan(dir, { ...opts, color: resolveColor(opts.color) }, io);
  });
}
