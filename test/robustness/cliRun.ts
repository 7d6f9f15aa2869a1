/**
 * Runs the CLI in this process (`main(argv)` from src/cli/main.ts) and captures what it writes to
 * stdout and stderr, so a table of bad inputs costs one engine start instead of one per case.
 */
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function runCli(args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  // The CLI writes strings; node:test's child-process protocol writes buffers, which pass through.
  const capture = (append: (s: string) => void, original: typeof process.stdout.write) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk !== 'string') return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      append(chunk);
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture((s) => (out += s), stdoutWrite);
  process.stderr.write = capture((s) => (err += s), stderrWrite);
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
}

/** stderr without the lines every command may print besides its error: the backend summary, notes, commander's usage hint. */
export function errorLines(err: string): string[] {
  return err
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('backend: ') && !l.startsWith('note: ') && l !== '(run hardneg --help for usage)');
}
