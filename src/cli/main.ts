// virtkeeper CLI entry: a list of command registrations, nothing else. Each command lives in
// commands/<name>.ts and exports register<Name>Command(program).
import { Command } from 'commander';
import { registerApplyCommand } from './commands/apply.js';
import { registerExportCommand } from './commands/export.js';
import { registerHostInfoCommand } from './commands/host-info.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerRunCommand } from './commands/run.js';
import { registerSandboxCommand } from './commands/sandbox.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerValidateCommand } from './commands/validate.js';

const program = new Command('virtkeeper')
  .description('GitOps reconciler for libvirt hosts')
  .showHelpAfterError();

registerValidateCommand(program);
registerSchemaCommand(program);
registerPlanCommand(program);
registerApplyCommand(program);
registerExportCommand(program);
registerRunCommand(program);
registerHostInfoCommand(program);
registerSandboxCommand(program);

await program.parseAsync(process.argv);
