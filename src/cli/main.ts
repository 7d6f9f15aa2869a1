/** The `hardneg` command line. Errors print one line and exit with status 1. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { benchCommand } from './bench.js';
import { demoCommand } from './demo.js';
import { evalCommand } from './evalCommand.js';
import { positiveInt } from './options.js';
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
    .option('--threads <n>', "threads of the native backend (default: HARDNEG_THREADS, else the machine's cores)", (v) => positiveInt(v, '--threads'))
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
  for (const cmd of program.commands) cmd.exitOverride();
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
    console.error(`hardneg: error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
