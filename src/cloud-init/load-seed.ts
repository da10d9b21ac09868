// A Domain's spec.cloudInit at load time: every {fromFile} read (through the caller's includer, so
// this module does no I/O), then the seed derived — its volume and cdrom join the desired state
// like any declared object. Problems are reported at the cloudInit field they concern, so a bad
// user-data names the manifest's file and line like any other error.
import { deriveSeed, type DerivedSeed } from './domain-seed.js';
import { NoCloudInputError } from './nocloud.js';
import type { FieldPath } from '../manifests/paths.js';
import type { Includer } from '../manifests/includes.js';
import type { CloudInitDocument, DomainCloudInit, DomainManifest } from '../resources/domain/schema.js';

type Report = (path: FieldPath, message: string) => void;

const DOCUMENT_FIELDS = ['userData', 'networkConfig', 'vendorData'] as const;

/** The seed of `manifest`, or undefined after reporting why there is none. */
export function loadSeed(manifest: DomainManifest, manifestFile: string, include: Includer, report: Report): DerivedSeed | undefined {
  const ci = manifest.spec.cloudInit;
  if (!ci) return undefined;
  const resolved: DomainCloudInit = { ...ci };
  let ok = true;
  for (const field of DOCUMENT_FIELDS) {
    const doc = ci[field];
    const file = fromFileOf(doc);
    if (file === undefined) continue;
    const read = include(manifestFile, file);
    if ('error' in read) {
      report(['spec', 'cloudInit', field, 'fromFile'], `${JSON.stringify(file)} ${read.error}`);
      ok = false;
    } else resolved[field] = read.text;
  }
  if (ci.sshAuthorizedKeys) {
    const keys: string[] = [];
    ci.sshAuthorizedKeys.forEach((entry, i) => {
      if (typeof entry === 'string') {
        keys.push(entry.trim());
        return;
      }
      const read = include(manifestFile, entry.fromFile);
      const problem = 'error' in read ? read.error : undefined;
      // A .pub file, or an authorized_keys file: one key per line, blank lines and comments skipped.
      const lines =
        'text' in read
          ? read.text
              .split('\n')
              .map((l) => l.trim())
              .filter((l) => l !== '' && !l.startsWith('#'))
          : [];
      if (problem !== undefined || lines.length === 0) {
        report(['spec', 'cloudInit', 'sshAuthorizedKeys', i, 'fromFile'], `${JSON.stringify(entry.fromFile)} ${problem ?? 'holds no key'}`);
        ok = false;
      }
      keys.push(...lines);
    });
    resolved.sshAuthorizedKeys = keys;
  }
  if (!ok) return undefined;
  try {
    return deriveSeed({ ...manifest, spec: { ...manifest.spec, cloudInit: resolved } });
  } catch (err) {
    if (!(err instanceof NoCloudInputError)) throw err;
    const prefix = `cloudInit.${err.field}: `;
    const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    // "secretRefs.1.placeholder": a number is a list index.
    report(['spec', 'cloudInit', ...err.field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part))], message);
    return undefined;
  }
}

function fromFileOf(doc: CloudInitDocument | undefined): string | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const value = (doc as { fromFile?: unknown }).fromFile;
  return typeof value === 'string' && Object.keys(doc).length === 1 ? value : undefined;
}
