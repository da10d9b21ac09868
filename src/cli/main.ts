// virtkeeper CLI entry: a table of commands, nothing else. Each command lives in
// commands/<name>.ts and exports register<Name>Command(program). Only the module of the command
// being run is imported (the daemon's, the client's and the metrics' modules cost hundreds of
// milliseconds to load), so `virtkeeper validate` starts in well under a second; help and unknown
// commands load them all so commander can list every command and suggest the nearest name.
import { Command } from 'commander';
import { virtkeeperVersion } from '../version.js';

type Register = (program: Command) => void;

const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import('./commands/validate.js')).registerValidateCommand,
  schema: async () => (await import('./commands/schema.js')).registerSchemaCommand,
  plan: async () => (await import('./commands/plan.js')).registerPlanCommand,
  apply: async () => (await import('./commands/apply.js')).registerApplyCommand,
  export: async () => (await import('./commands/export.js')).registerExportCommand,
  run: async () => (await import('./commands/run.js')).registerRunCommand,
  'host-info': async () => (await import('./commands/host-info.js')).registerHostInfoCommand,
  status: async () => (await import('./commands/status.js')).registerStatusCommand,
  sandbox: async () => (await import('./commands/sandbox.js')).registerSandboxCommand,
  doctor: async () => (await import('./commands/doctor.js')).registerDoctorCommand,
  'wait-applied': async () => (await import('./commands/wait-applied.js')).registerWaitAppliedCommand,
};

// Completion describes every other command, so it loads them all, then registers itself.
const COMPLETION = async (): Promise<Register> => (await import('./commands/completion.js')).registerCompletionCommand;

const program = new Command('virtkeeper')
  .description('GitOps reconciler for libvirt hosts')
  .version(virtkeeperVersion(), '-V, --version', 'print the version and exit')
  .showHelpAfterError();

const wanted = process.argv[2];
const only = wanted !== undefined && wanted !== 'completion' ? COMMANDS[wanted] : undefined;
for (const load of only ? [only] : [...Object.values(COMMANDS), COMPLETION]) (await load())(program);

await program.parseAsync(process.argv);
