import { compareLocations } from './desired-state.js';
import type { ManifestError } from './types.js';

/** `vms/web.yaml:14:7 spec.memory: must be a size like 2GiB` */
export function formatError(e: ManifestError): string {
  return `${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`;
}

/** `vms/b.yaml:8:26 spec.interfaces[0].mac: warning: is also used by …`: same place, marked as not an error. */
export function formatWarning(w: ManifestError): string {
  return `${w.file}:${w.line}:${w.column} ${w.path ? `${w.path}: ` : ''}warning: ${w.message}`;
}

/** Stable order: by file, line, column, then path and message; exact duplicates dropped. */
export function sortErrors(errors: readonly ManifestError[]): ManifestError[] {
  const seen = new Set<string>();
  return [...errors]
    .sort((a, b) => compareLocations(a, b) || cmp(a.path, b.path) || cmp(a.message, b.message))
    .filter((e) => {
      const k = formatError(e);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
