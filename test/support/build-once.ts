// vitest global setup: compile src/ to dist/ once per test run, because the CLI tests spawn
// bin/virtkeeper.js, which runs the compiled JavaScript (no transpiler at run time).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function buildOnce(): void {
  const repo = path.resolve(import.meta.dirname, '../..');
  execFileSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'inherit' });
}
