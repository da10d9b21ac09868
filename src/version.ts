// virtkeeper's own version, read from package.json (one directory above both src/ and dist/), for
// --version, /status and the virtkeeper_build_info metric.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function virtkeeperVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
