// `virtkeeper validate DIR`: load and check every manifest, report all errors at once.
// Exit 0 when valid, 1 otherwise (also when DIR cannot be read).
import type { Command } from 'commander';
import { formatError, formatWarning } from '../../manifests/errors.js';
import type { LoadResult } from '../../manifests/load-sources.js';
import { loadManifests } from '../../manifests/loader.js';
import type { ManifestError } from '../../manifests/types.js';
import { ManifestRootError } from '../../manifests/walk.js';
import { isSeedVolume } from '../../cloud-init/domain-seed.js';

export interface ValidateOptions {
  json?: boolean;
}

export interface ValidateOutput {
  exitCode: 0 | 1;
  stdout: string;
  stderr: string;
}

export interface ValidateJson {
  valid: boolean;
  errors: ManifestError[];
  warnings: ManifestError[];
}

const plain = ({ file, line, column, path, message }: ManifestError): ManifestError => ({ file, line, column, path, message });

/** Pure rendering of a load result, separate from the process so tests need no subprocess. */
export function renderValidation(dir: string, result: LoadResult, options: ValidateOptions): ValidateOutput {
  const valid = result.errors.length === 0;
  if (options.json) {
    const body: ValidateJson = { valid, errors: result.errors.map(plain), warnings: result.warnings.map(plain) };
    return { exitCode: valid ? 0 : 1, stdout: JSON.stringify(body, null, 2) + '\n', stderr: '' };
  }
  // Warnings go to stderr with the errors and never change the exit code.
  const warnings = result.warnings.map((w) => `${formatWarning(w)}\n`).join('');
  if (valid) {
    // Seed volumes are derived from Domains' cloudInit, not written by the user: counted apart.
    const seeds = result.state.manifests.filter((m) => isSeedVolume(m.manifest)).length;
    const n = result.state.manifests.length - seeds;
    const f = result.files.length;
    const derived = seeds === 0 ? '' : ` (${seeds} cloud-init seed${seeds === 1 ? '' : 's'} derived from them)`;
    return {
      exitCode: 0,
      stdout: `${dir}: ${n} manifest${n === 1 ? '' : 's'} in ${f} file${f === 1 ? '' : 's'}, all valid${derived}${warnedCount(result.warnings.length)}\n`,
      stderr: warnings,
    };
  }
  const lines = result.errors.map(formatError);
  const summary = `${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${dir}`;
  return { exitCode: 1, stdout: '', stderr: `${warnings}${lines.join('\n')}\n${summary}\n` };
}

function warnedCount(n: number): string {
  return n === 0 ? '' : `, ${n} warning${n === 1 ? '' : 's'} (on stderr)`;
}

export async function runValidate(dir: string, options: ValidateOptions): Promise<ValidateOutput> {
  try {
    return renderValidation(dir, await loadManifests(dir), options);
  } catch (e) {
    if (!(e instanceof ManifestRootError)) throw e;
    if (options.json) {
      const body: ValidateJson = { valid: false, errors: [{ file: dir, line: 0, column: 0, path: '', message: e.message }], warnings: [] };
      return { exitCode: 1, stdout: JSON.stringify(body, null, 2) + '\n', stderr: '' };
    }
    return { exitCode: 1, stdout: '', stderr: `${e.message}\n` };
  }
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check every *.yaml/*.yml manifest under DIR: syntax, schema, references (exit 0 valid, 1 invalid)')
    .argument('<dir>', 'manifest directory (may be a symlink, as git-sync makes)')
    .option('--json', 'print {valid, errors:[{file,line,column,path,message}], warnings:[…]} on stdout')
    .action(async (dir: string, options: ValidateOptions) => {
      const out = await runValidate(dir, options);
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      process.exitCode = out.exitCode;
    });
}
