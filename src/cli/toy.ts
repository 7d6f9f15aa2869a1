/** `hardneg toy --out toy.png`: MoCHi's Figure 1 on random unit vectors, drawn and measured. */
import { Command } from 'commander';
import { renderSvg, svgToPng } from '../report/render.js';
import { runToy, toySpec } from '../report/toy.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { fileWithExtension, flagErrors, nonNegativeInt, positiveInt } from './options.js';
import { commandOutput } from './output.js';
import { startEngine, type GlobalOptions } from './engineOption.js';

interface ToyFlags {
  dim: number;
  queue: number;
  N: number;
  s: number;
  sPrime: number;
  seed: number;
  out: string;
  json?: boolean;
}

const round = (x: number | null) => (x === null ? null : Number(x.toFixed(6)));

export function toyCommand(): Command {
  return new Command('toy')
    .description("MoCHi's Figure 1: a query, its queue, the N hardest negatives and the synthetic ones, in 2-D (PNG, or SVG for a .svg name)")
    .option('--dim <n>', 'dimension D of the random unit vectors', (v) => positiveInt(v, '--dim'), 32)
    .option('--queue <n>', 'queue size K', (v) => positiveInt(v, '--queue'), 1024)
    .option('--N <n>', 'hardest negatives mixed from', (v) => positiveInt(v, '--N'), 64)
    .option('--s <n>', 'mixed negatives h (two hard negatives)', (v) => nonNegativeInt(v, '--s'), 32)
    .option('--sPrime <n>', "query-mixed negatives h' (query and a hard negative)", (v) => nonNegativeInt(v, '--sPrime'), 16)
    .option('--seed <n>', 'seed', (v) => nonNegativeInt(v, '--seed'), 0)
    .requiredOption('--out <file>', 'the picture to write (.png or .svg)', fileWithExtension('--out', ['.png', '.svg']))
    .option('--json', 'print only one JSON line on stdout (the rest goes to stderr)')
    .action(async (flags: ToyFlags, cmd: Command) => {
      flagErrors([
        [flags.dim < 2, `--dim must be >= 2, got ${flags.dim}`],
        [flags.N > flags.queue, `--N must be <= --queue (${flags.queue}), got ${flags.N}`],
        [flags.s > 0 && flags.N < 2, `--N must be >= 2 when --s > 0 (s mixes two distinct hard negatives), got ${flags.N}`],
        [flags.s + flags.sPrime === 0, `--s or --sPrime must be > 0 (nothing to draw otherwise), got s=0, sPrime=0`],
      ]);
      const out = commandOutput(flags.json);
      await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const toy = runToy(flags);
      const svg = await renderSvg(toySpec(toy));
      writeFileAtomic(flags.out, flags.out.toLowerCase().endsWith('.svg') ? svg : svgToPng(svg));
      const f = (x: number | null) => (x === null ? '—' : x.toFixed(4));
      const synthetic = flags.s + flags.sPrime;
      out.line(`toy: D=${flags.dim}, queue ${flags.queue}, N=${flags.N}, s=${flags.s}, s'=${flags.sPrime}, seed ${flags.seed}`);
      const line = (label: string, value: string) => out.line(`  ${label.padEnd(26)}${value}`);
      line('hardest real negative', `q·n  = ${f(toy.hardestReal)}`);
      line(`the ${flags.N} hardest`, `q·n  = ${f(toy.meanHardest)} on average`);
      line(`mixed h (s=${flags.s})`, `q·h  = ${f(toy.meanH)} on average, ${toy.harderH}/${flags.s} harder than the hardest real one`);
      line(`query-mixed h' (s'=${flags.sPrime})`, `q·h' = ${f(toy.meanHPrime)} on average, ${toy.harderHPrime}/${flags.sPrime} harder than the hardest real one`);
      out.line(`synthetic negatives harder than the hardest real one: ${toy.harderH + toy.harderHPrime}/${synthetic} (${(100 * toy.shareHarder).toFixed(1)}%)`);
      out.line(`wrote ${flags.out}`);
      out.json({
        toy: true,
        hardest_real: round(toy.hardestReal),
        mean_h: round(toy.meanH),
        mean_h_prime: round(toy.meanHPrime),
        mean_hardest: round(toy.meanHardest),
        share_harder: round(toy.shareHarder),
        dim: flags.dim,
        queue: flags.queue,
        N: flags.N,
        s: flags.s,
        sPrime: flags.sPrime,
        seed: flags.seed,
      });
    });
}
