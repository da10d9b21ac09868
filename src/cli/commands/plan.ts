// `virtkeeper plan DIR --connect URI`: what apply would do, read through a read-only connection.
// Exit codes: 0 success; with --detailed-exitcode 0 no changes, 2 changes; 1 error either way.
import type { Command } from 'commander';
import { callTimeoutOption, connectOption } from '../connect-option.js';
import { LibvirtClient } from '../../libvirt/client.js';
import { LibvirtError } from '../../libvirt/errors.js';
import { formatError } from '../../manifests/errors.js';
import { loadManifests } from '../../manifests/loader.js';
import type { DesiredState, IdentityKey } from '../../manifests/types.js';
import { ManifestRootError } from '../../manifests/walk.js';
import { defaultRegistry, type KindRegistry } from '../../resources/registry.js';
import { readLiveState } from '../../reconciler/live-state.js';
import type { HostState, StateStore } from '../../state/index.js';
import {
  openHostState,
  openStore,
  ownerOf,
  pruneGuardOptions,
  stateOptions,
  type PruneGuardFlags,
  type StateLocation,
} from '../state-options.js';
import { buildPlan, hasChanges, type Plan } from '../../reconciler/planner.js';
import { managesInterfaces, readHostFacts } from '../../reconciler/host-facts.js';
import { selectTargets } from '../../reconciler/targets.js';
import { renderHuman } from '../../reconciler/render/human.js';
import { renderJson } from '../../reconciler/render/json.js';
import { renderMarkdown } from '../../reconciler/render/markdown.js';
import { assessSecretValues } from '../../resources/secret/assess.js';

/** Where command output goes; the CLI writes to the process, tests collect strings. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * Present only when a person is at a terminal (stdin and stdout are TTYs): asks and resolves
   * with the answer line. Commands never prompt without it.
   */
  ask?(question: string): Promise<string>;
  /** stdout is a terminal: progress may rewrite a line in place. */
  terminal?: boolean;
}

export function processIo(): CommandIo {
  const io: CommandIo = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) };
  if (process.stdout.isTTY) io.terminal = true;
  if (process.stdin.isTTY && process.stdout.isTTY) io.ask = askOnTerminal;
  return io;
}

async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export interface PlanCommandOptions extends StateLocation, PruneGuardFlags {
  connect: string;
  /** --call-timeout in ms. */
  callTimeout?: number;
  json?: boolean;
  markdown?: boolean;
  color?: boolean;
  detailedExitcode?: boolean;
  prune?: boolean;
  /** --target KIND/NAME (repeatable): plan only these and what they refer to. */
  target?: string[];
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

export interface HostPlan {
  plan: Plan;
  state: HostState;
}

export interface HostPlanOptions extends PruneGuardFlags {
  prune: boolean;
  /**
   * Write the settlement of intents left by an interrupted run (apply, under the host lock);
   * plan only settles them in memory.
   */
  persistIntents: boolean;
  /** Plan only these keys (--target and what the targets refer to). */
  only?: ReadonlySet<IdentityKey>;
}

/** Reads the host's live objects and plans against them and this owner's records. */
export async function planAgainstHost(
  client: LibvirtClient,
  desired: DesiredState,
  registry: KindRegistry,
  state: HostState,
  options: HostPlanOptions,
): Promise<HostPlan> {
  const [live, host, secretValues] = await Promise.all([
    readLiveState(client, registry),
    readHostFacts(client, managesInterfaces(desired, Object.keys(state.snapshot.objects)), state),
    assessSecretValues(desired, state.secretDigests.all(), options.only),
  ]);
  state.resolveIntents((key) => live.has(key), { persist: options.persistIntents });
  const plan = buildPlan({
    host,
    desired,
    live,
    inventory: state.snapshot,
    foreign: state.foreign(),
    stalls: state.stalls.all(),
    seeds: state.seeds.all(),
    secretValues,
    registry,
    options: {
      prune: options.prune,
      ...(options.allowEmpty !== undefined ? { allowEmpty: options.allowEmpty } : {}),
      ...(options.pruneMax !== undefined ? { pruneMax: options.pruneMax } : {}),
      ...(options.only ? { only: options.only } : {}),
    },
  });
  return { plan, state };
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
  const targets = targetKeys(options.target, desired, options.registry ?? defaultRegistry, io);
  if (targets === null) return 1;
  const store = openStore(options, io);
  if (!store) return 1;
  let client: LibvirtClient | undefined;
  try {
    const owner = await ownerOf(dir, options);
    client = await LibvirtClient.connect(options.connect, {
      readOnly: true,
      ...(options.callTimeout !== undefined ? { callTimeoutMs: options.callTimeout } : {}),
    });
    const state = await openHostState(store, client, owner, options, io);
    const { plan } = await planAgainstHost(client, desired, options.registry ?? defaultRegistry, state, {
      prune: options.prune ?? false,
      allowEmpty: options.allowEmpty ?? false,
      ...(options.pruneMax !== undefined ? { pruneMax: options.pruneMax } : {}),
      ...(targets ? { only: targets } : {}),
      persistIntents: false,
    });
    io.stdout(renderPlan(plan, options));
    return planExitCode(plan, options.detailedExitcode ?? false);
  } catch (err) {
    io.stderr(`plan failed: ${describeFailure(err)}\n`);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
    closeQuietly(store);
  }
}

/**
 * The keys --target selects with everything they refer to; undefined without --target; null
 * (reported) when a target names no manifest.
 */
export function targetKeys(
  targets: readonly string[] | undefined,
  desired: DesiredState,
  registry: KindRegistry,
  io: CommandIo,
): ReadonlySet<IdentityKey> | undefined | null {
  if (!targets || targets.length === 0) return undefined;
  const selected = selectTargets(targets, desired, registry);
  if (selected.ok) return selected.keys;
  io.stderr(`${selected.error}\n`);
  return null;
}

/** --target KIND/NAME, repeatable. */
export function targetOption(command: Command): Command {
  return command.option(
    '--target <key>',
    'only this object and what it refers to (KIND/NAME, e.g. Domain/web-1; repeatable)',
    (value: string, previous: string[] = []) => [...previous, value],
  );
}

export function closeQuietly(store: StateStore | undefined): void {
  try {
    store?.close();
  } catch {
    // A failed final write was already reported by flush; closing must not mask the exit code.
  }
}

/**
 * 1 when the plan has errors or refuses a change (apply would not get the host there: CI must not
 * read that as "changes to apply"); with --detailed-exitcode 2 for changes, 0 for none.
 */
export function planExitCode(plan: Plan, detailedExitcode: boolean): 0 | 1 | 2 {
  // apply would refuse this plan (or part of it): say so in the exit code too.
  if (plan.errors.length > 0 || plan.summary.refused > 0 || plan.pruneBlocked !== undefined) return 1;
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

export function registerPlanCommand(program: Command): void {
  const command = program
    .command('plan')
    .description(
      'show what apply would change on the host (read-only); exit 0 ok, 1 error; with --detailed-exitcode 0 no changes, 2 changes',
    )
    .argument('<dir>', 'manifest directory')
    .addOption(connectOption())
    .addOption(callTimeoutOption())
    .option('--json', 'machine-readable plan (docs/plan-format.md)')
    .option('--markdown', 'plan as Markdown, e.g. for a pull-request comment')
    .option('--color', 'force coloured output')
    .option('--no-color', 'never colour output')
    .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when something would, 1 on error')
    .option('--prune', 'include deletions of recorded objects whose manifests are gone');
  targetOption(command);
  // --color declared before --no-color leaves the default undefined: "not given" stays distinguishable.
  pruneGuardOptions(stateOptions(command)).action(async (dir: string, opts: PlanCommandOptions) => {
    const io = processIo();
    process.exitCode = await runPlan(dir, { ...opts, color: resolveColor(opts.color) }, io);
  });
}
