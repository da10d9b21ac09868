// `virtkeeper status --connect URI [--owner NAME] [--json]`: what the state store records for the
// host behind URI — every managed object with its owner and origin, intents an interrupted run
// left, and who holds the host lock. Read-only: connects only to learn the host's identity.
import type { Command } from 'commander';
import { LibvirtClient } from '../../libvirt/client.js';
import { readHostIdentity } from '../../reconciler/live-state.js';
import type { LockHolder } from '../../state/index.js';
import { connectOption } from '../connect-option.js';
import { openStore, stateOptions, type StateLocation } from '../state-options.js';
import { closeQuietly, describeFailure, processIo, type CommandIo } from './plan.js';

export interface StatusCommandOptions extends StateLocation {
  connect: string;
  json?: boolean;
}

export interface StoreStatus {
  host: string;
  stateDb: string;
  objects: Array<{ key: string; owner: string; origin: 'created' | 'adopted'; pruneDisabled: boolean; recordedAt: string }>;
  pendingIntents: Array<{ key: string; action: string; owner: string; pid: number; createdAt: string }>;
  lock: LockHolder | null;
}

export async function runStatus(options: StatusCommandOptions, io: CommandIo): Promise<number> {
  const store = openStore(options, io);
  if (!store) return 1;
  let client: LibvirtClient | undefined;
  try {
    client = await LibvirtClient.connect(options.connect, { readOnly: true });
    const host = await readHostIdentity(client);
    const state = store.host(host, options.owner ?? '');
    const objects = [...state.allRecords()]
      .filter(([, r]) => options.owner === undefined || r.owner === options.owner)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, r]) => ({ key, owner: r.owner, origin: r.origin, pruneDisabled: r.pruneDisabled, recordedAt: r.recordedAt }));
    const status: StoreStatus = {
      host: host.key,
      stateDb: store.file,
      objects,
      pendingIntents: state.pendingIntents().map((i) => ({ key: i.key, action: i.action, owner: i.owner, pid: i.pid, createdAt: i.createdAt })),
      lock: store.lockHolder(host.key) ?? null,
    };
    io.stdout(options.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status));
    return 0;
  } catch (err) {
    io.stderr(`status failed: ${describeFailure(err)}\n`);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
    closeQuietly(store);
  }
}

function renderStatus(s: StoreStatus): string {
  const lines = [`host ${s.host} in ${s.stateDb}`];
  lines.push(s.lock ? `locked by pid ${s.lock.pid} (${s.lock.command}, since ${s.lock.since}) for ${s.lock.owner}` : 'not locked');
  const byOwner = new Map<string, StoreStatus['objects']>();
  for (const o of s.objects) byOwner.set(o.owner, [...(byOwner.get(o.owner) ?? []), o]);
  for (const [owner, objects] of byOwner) {
    lines.push('', `${owner}: ${objects.length} object${objects.length === 1 ? '' : 's'}`);
    for (const o of objects) lines.push(`  ${o.key}  ${o.origin}${o.pruneDisabled ? ', prune disabled' : ''}  since ${o.recordedAt}`);
  }
  if (s.objects.length === 0) lines.push('', 'no managed objects');
  if (s.pendingIntents.length > 0) {
    lines.push('', `${s.pendingIntents.length} intent(s) of an interrupted run, settled by the next plan or apply:`);
    for (const i of s.pendingIntents) lines.push(`  ${i.key}  ${i.action} by ${i.owner} (pid ${i.pid}, ${i.createdAt})`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerStatusCommand(program: Command): void {
  const command = program
    .command('status')
    .description('list what the state store records for the host: managed objects by owner, pending intents, the host lock')
    .addOption(connectOption())
    .option('--json', 'machine-readable output');
  stateOptions(command).action(async (opts: StatusCommandOptions) => {
    process.exitCode = await runStatus(opts, processIo());
  });
}
