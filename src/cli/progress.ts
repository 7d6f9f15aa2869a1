/**
 * Progress bars (cli-progress) on a TTY; silent otherwise, so logs and pipes stay clean. A bar is
 * drawn at its first `update`, with that update's payload, so its first frame never shows a
 * `{placeholder}` of the format.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

export function progressBar(total: number, label: string, format = '{bar} {value}/{total} | ETA {eta_formatted}'): Progress {
  if (!process.stderr.isTTY || process.env.CI) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} ${format}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, payload = {}) => {
      if (started) return bar.update(done, payload);
      started = true;
      bar.start(total, done, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
