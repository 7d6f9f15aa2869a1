/** `hardneg report <run dirs…> --out report.html [--png <dir>]`: one self-contained HTML page comparing runs. */
import { Command } from 'commander';
import { buildReport, writeReport } from '../report/report.js';
import { checkRunDir } from '../report/runReader.js';
import { isStudyDir } from '../report/study.js';
import { nonNegativeInt, positiveInt } from './options.js';
import { progressBar } from './progress.js';
import { startEngine, type GlobalOptions } from './engineOption.js';

interface ReportFlags {
  out: string;
  png?: string;
  maxPoints: number;
  seed: number;
}

export function reportCommand(): Command {
  return new Command('report')
    .description('an HTML report (curves, final metrics, embedding maps, hardness histograms) of one or more run directories')
    .argument('<runs...>', 'run directories (runs/<name>, see docs/runs.md) or study directories of hardneg bench supervised')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--png <dir>', 'also write every chart as a PNG file into this directory')
    .option('--max-points <n>', 'most test embeddings drawn per map', (v) => positiveInt(v, '--max-points'), 2000)
    .option('--seed <n>', 'seed of the embedding subsample and of UMAP', (v) => nonNegativeInt(v, '--seed'), 0)
    .action(async (runs: string[], flags: ReportFlags, cmd: Command) => {
      const studies = runs.filter(isStudyDir);
      const runDirs = runs.filter((r) => !studies.includes(r));
      for (const run of runDirs) checkRunDir(run); // a bad path is one line, before anything else is printed
      await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const started = performance.now();
      let bar: ReturnType<typeof progressBar> | undefined;
      const report = await buildReport(runDirs, {
        studies,
        maxPoints: flags.maxPoints,
        seed: flags.seed,
        onProgress: (done, total) => {
          bar ??= progressBar(total, 'report');
          bar.update(done);
        },
      });
      bar?.stop();
      for (const note of report.notes) console.error(`note: ${note.text}`);
      const files = writeReport(report, flags.out, flags.png);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const pngs = flags.png === undefined ? '' : `, ${files.length - 1} PNG files in ${flags.png}`;
      const studyCount = report.studies.length > 0 ? `${report.studies.length} stud${report.studies.length === 1 ? 'y' : 'ies'}, ` : '';
      console.log(`wrote ${flags.out} (${studyCount}${report.runs.length} runs, ${report.charts.length} charts${pngs}) in ${seconds} s`);
    });
}
