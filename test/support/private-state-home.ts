// vitest global setup: every test run gets its own XDG_STATE_HOME, so a test that runs the CLI
// without --state-dir writes a throwaway state store instead of the machine's own
// (~/.local/state/virtkeeper), and what one run leaves there cannot break the next one.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function privateStateHome(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-test-state-home-'));
  process.env.XDG_STATE_HOME = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
