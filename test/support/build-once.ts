// vitest global setup: build once per test run (npm run build: tsc, then the precompiled schema
// validators), because the CLI tests spawn bin/virtkeeper.js, which runs the compiled JavaScript.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function buildOnce(): void {
  const repo = path.resolve(import.meta.dirname, '../..');
  execFileSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: repo,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [path.join(repo, 'dist/manifests/schema/compile-validators.js')], { cwd: repo, stdio: 'inherit' });
}
