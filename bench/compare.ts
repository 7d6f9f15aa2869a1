/**
 * `npm run bench:compare`: hardneg's MoCo step (`hardneg bench moco-step`) against the same step
 * in PyTorch (`bench/reference/moco_step.py`, same flags) at the same thread count, in one run.
 * Rows (B = 256, K = 4096, D = 128), each at the thread counts of `--threads` unless noted:
 *
 *   mlp        MLP 784→512→128;
 *   mlp-mochi  the same + MoCHi(256, 128, 64), 1 thread (PyTorch builds the synthetic tensor,
 *              hardneg takes its logit-space path);
 *   cnn        CNN [32, 64, 128] on 28×28×1 + MoCo v2 head, shuffled BN over 4 sub-batches;
 *   cnn-mochi  the same + MoCHi(256, 128, 64), 1 thread;
 *   resnet     CNN [64, 128, 256] with 2 residual blocks per stage on 32×32×3 (fewer steps: one
 *              step is seconds).
 *
 * Each row alternates the two sides for `--rounds` rounds (each a fresh process timing its steps
 * after warm-up) and reports the median of the rounds' medians, with their range: a busy machine
 * shows up as a wide range. PyTorch's threads are pinned through OPENBLAS_NUM_THREADS,
 * OMP_NUM_THREADS, OMP_WAIT_POLICY=PASSIVE and torch.set_num_threads; hardneg's through --threads.
 * A hardneg side that fails (e.g. the one-line error of a step too big for wasm's memory) is
 * printed as such and the row has no ratio.
 *
 * Usage: npm run bench:compare [-- --backend native --threads 1,2 --rows mlp,mlp-mochi,cnn,cnn-mochi,resnet
 *        --mochi 256,128,64 --rounds 3 --steps 20]
 * (`--steps` is the MLP rows' count; the CNN rows time steps/4, the ResNet rows 2.)
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';

const PYTHON = '/usr/bin/python3';
const ROWS = ['mlp', 'mlp-mochi', 'cnn', 'cnn-mochi', 'resnet'] as const;
type RowName = (typeof ROWS)[number];

const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    batch: { type: 'string', default: '256' },
    queue: { type: 'string', default: '4096' },
    dim: { type: 'string', default: '128' },
    steps: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1,2' },
    rows: { type: 'string', default: ROWS.join(',') },
    mochi: { type: 'string', default: '256,128,64' },
  },
});
const rounds = Number(values.rounds);
const mlpSteps = Number(values.steps);
const rowNames = values.rows!.split(',') as RowName[];
for (const r of rowNames) {
  if (!(ROWS as readonly string[]).includes(r)) {
    console.error(`--rows: expected a comma-separated subset of ${ROWS.join(', ')}, got '${r}'`);
    process.exit(1);
  }
}

interface Workload {
  step: string;
  /** Flags shared by both sides (`hardneg bench moco-step` and `moco_step.py` take the same ones). */
  flags: string[];
  threads: number[];
}

const shape = ['--batch', values.batch!, '--queue', values.queue!, '--dim', values.dim!];
const steps = (n: number, warmup: number) => ['--steps', `${Math.max(1, n)}`, '--warmup', `${warmup}`];
const threadList = values.threads!.split(',').map(Number);
const cnn28 = ['--encoder', 'cnn', '--widths', '32,64,128', '--size', '28', '--channels', '1'];
const resnet = ['--encoder', 'cnn', '--widths', '64,128,256', '--blocks', '2', '--size', '32', '--channels', '3'];
const mochi = values.mochi === 'none' ? undefined : ['--mochi', values.mochi!];
const workloads: Record<RowName, Workload | undefined> = {
  mlp: { step: 'MLP 784→512→128', flags: ['--encoder', 'mlp', ...shape, ...steps(mlpSteps, 3)], threads: threadList },
  'mlp-mochi': mochi && { step: `MLP + MoCHi(${values.mochi})`, flags: ['--encoder', 'mlp', ...shape, ...mochi, ...steps(mlpSteps, 3)], threads: [1] },
  cnn: { step: 'CNN [32,64,128] 28×28×1', flags: [...cnn28, ...shape, ...steps(mlpSteps / 4, 2)], threads: threadList },
  'cnn-mochi': mochi && { step: `CNN 28×28×1 + MoCHi(${values.mochi})`, flags: [...cnn28, ...shape, ...mochi, ...steps(mlpSteps / 4, 2)], threads: [1] },
  resnet: { step: 'ResNet [64,128,256]×2 32×32×3', flags: [...resnet, ...shape, ...steps(2, 1)], threads: threadList },
};

function lastJson(stdout: string): Record<string, unknown> | undefined {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
}

/** Runs one side; returns its JSON line, or its last stderr line when it fails. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Record<string, unknown> | { error: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  const json = r.status === 0 ? lastJson(r.stdout) : undefined;
  if (json !== undefined) return json;
  const why = r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`;
  return { error: why === '' ? `${cmd} exited with ${r.status ?? r.signal}` : why };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const range = (v: number[]) => (v.length === 0 ? '—' : `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}`);

if (spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) {
  console.log(`PyTorch is missing (${PYTHON} -c "import torch" failed). Install it with: apt-get install -y python3-torch libopenblas0-pthread`);
  process.exit(1);
}

interface Row {
  row: RowName;
  step: string;
  threads: number;
  hardneg_backend: string;
  hardneg_ms: number | null;
  torch_ms: number;
  ratio: number | null;
  hardneg_range: [number, number] | null;
  torch_range: [number, number];
  hardneg_error?: string;
}

function compare(name: RowName, w: Workload, threads: number): Row {
  const backend = values.backend === undefined ? [] : ['--backend', values.backend];
  const pinned = { ...process.env, OPENBLAS_NUM_THREADS: `${threads}`, OMP_NUM_THREADS: `${threads}`, OMP_WAIT_POLICY: 'PASSIVE' };
  const hn: number[] = [];
  const pt: number[] = [];
  let hardnegBackend = values.backend ?? '';
  let hardnegError: string | undefined;
  let torchVersion = '';
  for (let r = 0; r < rounds; r++) {
    if (hardnegError === undefined) {
      const h = run(process.execPath, ['bin/hardneg.js', ...backend, '--threads', `${threads}`, 'bench', 'moco-step', ...w.flags, '--json']);
      if ('error' in h) hardnegError = h.error as string;
      else {
        hn.push(h.ms_per_step as number);
        hardnegBackend = h.backend as string;
      }
    }
    const t = run(PYTHON, ['bench/reference/moco_step.py', ...w.flags, '--threads', `${threads}`, '--json'], pinned);
    if ('error' in t) throw new Error(`bench/reference/moco_step.py ${w.flags.join(' ')} failed: ${t.error}`);
    pt.push(t.ms_per_step as number);
    torchVersion = t.torch as string;
  }
  const t = median(pt);
  const h = hn.length > 0 ? median(hn) : null;
  const hardnegText = h === null ? `failed: ${hardnegError}` : `${h.toFixed(2)} ms [${range(hn)}]`;
  const ratio = h === null ? null : Number((t / h).toFixed(3));
  console.log(
    `${w.step.padEnd(36)} ${threads} thread${threads === 1 ? ' ' : 's'}  hardneg (${hardnegBackend}) ${hardnegText}` +
      `  torch ${torchVersion} ${t.toFixed(2)} ms [${range(pt)}]  torch_ms / hardneg_ms = ${ratio === null ? '—' : ratio.toFixed(3)}`,
  );
  return {
    row: name, step: w.step, threads, hardneg_backend: hardnegBackend, hardneg_ms: h, torch_ms: t, ratio,
    hardneg_range: h === null ? null : [Math.min(...hn), Math.max(...hn)], torch_range: [Math.min(...pt), Math.max(...pt)],
    ...(hardnegError !== undefined ? { hardneg_error: hardnegError } : {}),
  };
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`B=${values.batch} K=${values.queue} D=${values.dim}; median of ${rounds} rounds [range over rounds]`);
const rows: Row[] = [];
for (const name of rowNames) {
  const w = workloads[name];
  if (w !== undefined) for (const threads of w.threads) rows.push(compare(name, w, threads));
}
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(JSON.stringify({ bench: 'compare', batch: Number(values.batch), queue: Number(values.queue), dim: Number(values.dim), rows }));
