// I/O: reading a Secret's value from where its manifest says — a file, an environment variable or
// a command on the machine running virtkeeper. Errors name the source, never the value; the value
// lives in a Buffer that callers zero when done (best effort: JavaScript strings cannot be wiped,
// so the value never becomes one here).
import { spawn } from 'node:child_process';
import { type FileHandle, open } from 'node:fs/promises';
import type { SecretSpec, SecretValueFrom } from './schema.js';
import { StepPayloadError } from '../common/payload.js';

export class SecretValueError extends Error {
  override name = 'SecretValueError';
}

/** A value larger than this is refused: libvirt's secrets are keys and passphrases. */
export const MAX_SECRET_BYTES = 64 * 1024;
const COMMAND_TIMEOUT_MS = 30_000;

export function describeValueFrom(from: SecretValueFrom): string {
  if (from.file !== undefined) return `file ${from.file}`;
  if (from.env !== undefined) return `environment variable ${from.env}`;
  return `command ${JSON.stringify(from.command ?? [])}`;
}

/** Where a value is read and how it is encoded: what a Secret says, and what a step carries. */
export type ValueSource = Pick<SecretSpec, 'valueFrom' | 'encoding'>;

/** `value` as a ValueSource (a step payload's), checked: a malformed one is refused, not guessed at. */
export function checkedValueSource(value: unknown, where: string): ValueSource {
  const v = (typeof value === 'object' && value !== null ? value : {}) as { valueFrom?: SecretValueFrom; encoding?: unknown };
  const from = v.valueFrom;
  const sources =
    typeof from === 'object' && from !== null
      ? [typeof from.file === 'string', typeof from.env === 'string', Array.isArray(from.command)].filter(Boolean).length
      : 0;
  if (!from || sources !== 1) throw new StepPayloadError(`${where}: valueFrom needs exactly one of file, env, command`);
  if (v.encoding !== 'raw' && v.encoding !== 'base64') throw new StepPayloadError(`${where}: unknown encoding ${String(v.encoding)}`);
  return { valueFrom: from, encoding: v.encoding };
}

/** The value libvirt gets: read, one trailing newline dropped (file, command), decoded when base64. */
export async function readSecretValue(spec: ValueSource, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const from = spec.valueFrom;
  const raw =
    from.file !== undefined
      ? await readFile(from.file)
      : from.env !== undefined
        ? fromEnv(from.env, env)
        : await fromCommand(from.command ?? []);
  const trimmed = from.env !== undefined ? raw : dropTrailingNewline(raw);
  if (spec.encoding !== 'base64') return trimmed;
  const textForm = trimmed.toString('latin1').trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(textForm) || textForm.length % 4 !== 0) {
    throw new SecretValueError(`the value from ${describeValueFrom(from)} is not base64 text (encoding: base64)`);
  }
  trimmed.fill(0);
  return Buffer.from(textForm, 'base64');
}

function dropTrailingNewline(b: Buffer): Buffer {
  if (b.length > 0 && b[b.length - 1] === 0x0a) return b.subarray(0, b.length - (b.length > 1 && b[b.length - 2] === 0x0d ? 2 : 1));
  return b;
}

async function readFile(file: string): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? `is not readable by uid ${process.getuid?.() ?? '?'}`
          : `cannot be read (${code ?? (err as Error).message})`;
    throw new SecretValueError(`secret file ${file} ${why}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new SecretValueError(`secret file ${file} is not a regular file`);
    if (st.size > MAX_SECRET_BYTES)
      throw new SecretValueError(`secret file ${file} is ${st.size} bytes, more than the ${MAX_SECRET_BYTES} a secret may have`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

function fromEnv(name: string, env: NodeJS.ProcessEnv): Buffer {
  const value = env[name];
  if (value === undefined || value === '') throw new SecretValueError(`environment variable ${name} is not set (or empty)`);
  return Buffer.from(value, 'utf8');
}

function fromCommand(argv: readonly string[]): Promise<Buffer> {
  const [program, ...args] = argv;
  if (!program) return Promise.reject(new SecretValueError('valueFrom.command is empty'));
  return new Promise((resolve, reject) => {
    // The program a Secret manifest's valueFrom.command names: the user's own (`pass show ceph`).
    // spawns: user-command
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS });
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_SECRET_BYTES) out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) =>
      reject(new SecretValueError(`cannot run ${program}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)),
    );
    child.on('close', (code, signal) => {
      const value = Buffer.concat(out);
      if (code !== 0) {
        value.fill(0);
        // Only its first line of stderr: what went wrong, not pages of output.
        const said = stderr.trim().split('\n')[0];
        return reject(
          new SecretValueError(`${program} ${signal ? `was killed (${signal})` : `exited with status ${code}`}${said ? `: ${said}` : ''}`),
        );
      }
      if (size > MAX_SECRET_BYTES) {
        value.fill(0);
        return reject(new SecretValueError(`${program} printed more than the ${MAX_SECRET_BYTES} bytes a secret may have`));
      }
      resolve(value);
    });
  });
}
