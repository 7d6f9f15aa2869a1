/** The `hardneg` command line. Errors print one line per problem and exit with status 1. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { benchCommand } from './bench.js';
import { demoCommand } from './demo.js';
import { evalCommand } from './evalCommand.js';
import { embedCommand } from './embedCommand.js';
import { exportCommand } from './exportCommand.js';
import { intIn } from './options.js';
import { trainCommand } from './trainCommand.js';
import { reportCommand } from './report.js';
import { toyCommand } from './toy.js';
import { mineCommand } from './mine.js';
import { evalRetrievalCommand, trainRetrievalCommand } from './trainRetrieval.js';
import { trainAdapterCommand } from './trainAdapter.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('hardneg')
    .description('contrastive representation learning with hard negatives (MoCHi, SCHaNe, MoCo, SupCon, …)')
    .version(packageVersion(), '-V, --version')
    .option('--backend <name>', 'tensorflow | native | wasm | cpu (default: HARDNEG_BACKEND, else the best available)')
    .option('--threads <n>', "threads of the native backend, 1–1024 (default: HARDNEG_THREADS, else the machine's cores)", intIn('--threads', 1, 1024))
    .option('--verbose', 'list the native kernels (or wasm kernel fixes) in the backend line')
    .showHelpAfterError('(run hardneg --help for usage)')
    .exitOverride();
  program.addCommand(demoCommand());
  program.addCommand(trainCommand());
  program.addCommand(evalCommand());
  program.addCommand(benchCommand());
  program.addCommand(reportCommand());
  program.addCommand(toyCommand());
  program.addCommand(mineCommand());
  program.addCommand(trainRetrievalCommand());
  program.addCommand(evalRetrievalCommand());
  program.addCommand(trainAdapterCommand());
  program.addCommand(embedCommand());
  program.addCommand(exportCommand());
  // Every command, nested ones (bench moco-step) included, throws instead of calling process.exit.
  const override = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  program.commands.forEach(override);
  return program;
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    // A command may set its own status (130 after Ctrl-C); bin/hardneg.js sets the returned one.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander already printed its message
    // One line per problem (a config can have several, each naming its key).
    for (const line of (err instanceof Error ? err.message : String(err)).split('\n')) console.error(`hardneg: error: ${line}`);
    return 1;
  }
}
