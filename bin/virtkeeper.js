#!/usr/bin/env node
// Runs the compiled CLI from dist/ (built by `npm ci` through the prepare script, or `npm run build`):
// no TypeScript transpiler in the process, so start-up costs only what the commands load.
try {
  await import('../dist/cli/main.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('virtkeeper is not built: run `npm run build` (npm ci does it) in the repository\n');
    process.exit(1);
  }
  throw err;
}
