// `virtkeeper doctor [--connect URI]`: checks this machine and the libvirt host behind a URI before
// plan/apply are pointed at it. One line per check; each problem ends with its fix. Exit 1 when a
// required check failed, 0 otherwise (warnings do not fail).
import { Option, type Command } from 'commander';
import { connectUriFromEnv } from '../connect-option.js';
import { runChecks, type CheckResult, type CheckStatus } from '../../doctor/checks.js';
import { processIo, type CommandIo } from './plan.js';

export interface DoctorCommandOptions {
  connect?: string;
  stateDir?: string;
  json?: boolean;
}

const MARK: Record<CheckStatus, string> = { ok: '✔', warn: '!', fail: '✗', skip: '-' };

export function renderChecks(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => {
    const head = `${MARK[r.status]} ${r.name.padEnd(width)}  ${r.detail}`;
    return r.fix ? `${head}\n  ${' '.repeat(width)}  fix: ${r.fix}` : head;
  });
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  const verdict = failed > 0 ? `${failed} problem${failed === 1 ? '' : 's'} to fix` : 'ready';
  return `${lines.join('\n')}\n\ndoctor: ${verdict}${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}\n`;
}

export async function runDoctor(options: DoctorCommandOptions, io: CommandIo): Promise<number> {
  const results = await runChecks({
    ...(options.connect !== undefined ? { uri: options.connect } : {}),
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
  });
  io.stdout(
    options.json
      ? `${JSON.stringify({ ok: results.every((r) => r.status !== 'fail'), checks: results }, null, 2)}\n`
      : renderChecks(results),
  );
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

export function registerDoctorCommand(program: Command): void {
  // Unlike other commands the URI is optional: without one, only this machine is checked.
  const fromEnv = connectUriFromEnv();
  const connect = new Option('-c, --connect <uri>', 'libvirt URI to check (env: VIRTKEEPER_CONNECT, then LIBVIRT_DEFAULT_URI)');
  program
    .command('doctor')
    .description('check this machine and a libvirt host for what virtkeeper needs; each problem with its fix (exit 1 when one is found)')
    .addOption(fromEnv ? connect.default(fromEnv) : connect)
    .option('--state-dir <dir>', 'state store directory to check (default $XDG_STATE_HOME/virtkeeper)')
    .option('--json', 'the checks as JSON')
    .action(async (opts: DoctorCommandOptions) => {
      process.exitCode = await runDoctor(opts, processIo());
    });
}
