// I/O: opening the content of a volume's spec.source — a file on the machine running virtkeeper,
// or an http(s) URL streamed with fetch — as bytes plus the size when it is known up front
// (file size, Content-Length), so a too-large source fails before any byte is sent.
import { redactUrl, redactUrlsIn } from '../../manifests/redact-url.js';
import { createReadStream } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export type UploadSourceSpec = { path: string; url?: undefined } | { url: string; path?: undefined };

export interface OpenedSource {
  /** The path or URL, for messages. */
  readonly label: string;
  /** Bytes the source will deliver, when known before reading. */
  readonly sizeBytes: bigint | undefined;
  readonly body: AsyncIterable<Uint8Array>;
  /** Releases the file or connection when the body will not be read to the end. */
  close(): void;
}

export class UploadSourceError extends Error {
  override name = 'UploadSourceError';
}

/** Size of a local source file, or an UploadSourceError naming what is wrong with the path. */
export async function localSourceSize(path: string): Promise<bigint> {
  let info: BigIntStats;
  try {
    info = await stat(path, { bigint: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : (err as Error).message;
    throw new UploadSourceError(`source file ${path} ${why}`, { cause: err });
  }
  if (!info.isFile()) throw new UploadSourceError(`source ${path} is not a regular file`);
  return info.size;
}

async function openFile(path: string): Promise<OpenedSource> {
  const sizeBytes = await localSourceSize(path);
  const stream = createReadStream(path);
  return { label: path, sizeBytes, body: stream, close: () => stream.destroy() };
}

function contentLength(res: Response): bigint | undefined {
  const header = res.headers.get('content-length');
  // A compressed transfer's Content-Length counts encoded bytes, not what the body yields.
  const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
  return header && /^\d+$/.test(header) && !encoded ? BigInt(header) : undefined;
}

/** A request header whose value is a Secret's (see the volume's source.headers). */
export interface SecretHeader {
  name: string;
  value: Uint8Array;
}

const MAX_REDIRECTS = 10;

/**
 * fetch, following redirects by hand: the secret headers go to the URL's own origin only, as
 * browsers do with Authorization, so a redirect to a CDN or another host never receives a token.
 */
async function fetchWithHeaders(url: string, headers: readonly SecretHeader[]): Promise<Response> {
  if (headers.length === 0) return fetch(url, { redirect: 'follow' });
  const origin = new URL(url).origin;
  let at = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const own = new URL(at).origin === origin;
    const init: RequestInit = { redirect: 'manual' };
    if (own) init.headers = headers.map((h): [string, string] => [h.name, Buffer.from(h.value).toString('latin1')]);
    const res = await fetch(at, init);
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    if (location === null) return res;
    await res.body?.cancel().catch(() => {});
    at = new URL(location, at).toString();
  }
  throw new UploadSourceError(`more than ${MAX_REDIRECTS} redirects`);
}

async function openUrl(url: string, headers: readonly SecretHeader[]): Promise<OpenedSource> {
  const shown = redactUrl(url);
  let res: Response;
  try {
    res = await fetchWithHeaders(url, headers);
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new UploadSourceError(redactUrlsIn(`cannot download ${shown}: ${cause ?? (err as Error).message}`), { cause: err });
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new UploadSourceError(`cannot download ${shown}: HTTP ${res.status} ${res.statusText}`.trimEnd());
  }
  const stream = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  return { label: shown, sizeBytes: contentLength(res), body: stream, close: () => stream.destroy() };
}

export function openUploadSource(spec: UploadSourceSpec, headers: readonly SecretHeader[] = []): Promise<OpenedSource> {
  return spec.path !== undefined ? openFile(spec.path) : openUrl(spec.url, headers);
}
