/**
 * `npm run bench:compare`: hardneg's MoCo step (`hardneg bench moco-step`) against the same step
 * in PyTorch (`bench/reference/moco_step.py`) at the same thread count, in one run:
 *
 *   - the MoCo step at 1 and 2 threads (B=256, K=4096, D=128, MLP 784→512→128);
 *   - the MoCo step with MoCHi(256, 128, 64) at 1 thread (PyTorch builds the synthetic tensor,
 *     hardneg takes its logit-space path).
 *
 * Each row alternates the two sides for `--rounds` rounds (each a fresh process timing `--steps`
 * steps after warm-up) and reports the median of the rounds' medians, with their range: a busy
 * machine shows up as a wide range. PyTorch's threads are pinned through OPENBLAS_NUM_THREADS,
 * OMP_NUM_THREADS, OMP_WAIT_POLICY=PASSIVE and torch.set_num_threads; hardneg's through --threads.
 *
 * Usage: npm run bench:compare [-- --backend native --threads 1,2 --mochi 256,128,64 --rounds 3 --steps 20]
 * (--mochi none skips the MoCHi row).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';

const PYTHON = '/usr/bin/python3';
const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    batch: { type: 'string', default: '256' },
    queue: { type: 'string', default: '4096' },
    dim: { type: 'string', default: '128' },
    steps: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1,2' },
    mochi: { type: 'string', default: '256,128,64' },
  },
});
const shape = ['--batch', values.batch!, '--queue', values.queue!, '--dim', values.dim!, '--steps', values.steps!];
const rounds = Number(values.rounds);

function lastJson(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (line === undefined) throw new Error(`no JSON line in output:\n${stdout}`);
  return JSON.parse(line) as Record<string, unknown>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  }
  return lastJson(r.stdout);
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

if (spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) {
  console.log(`PyTorch is missing (${PYTHON} -c "import torch" failed). Install it with: apt-get install -y python3-torch libopenblas0-pthread`);
  process.exit(1);
}

interface Row {
  step: string;
  threads: number;
  hardneg_backend: string;
  hardneg_ms: number;
  torch_ms: number;
  ratio: number;
  hardneg_range: [number, number];
  torch_range: [number, number];
}

function compare(threads: number, mochi?: string): Row {
  const extra = mochi === undefined ? [] : ['--mochi', mochi];
  const backend = values.backend === undefined ? [] : ['--backend', values.backend];
  const pinned = { ...process.env, OPENBLAS_NUM_THREADS: `${threads}`, OMP_NUM_THREADS: `${threads}`, OMP_WAIT_POLICY: 'PASSIVE' };
  const hn: number[] = [];
  const pt: number[] = [];
  let hardnegBackend = '';
  let torchVersion = '';
  for (let r = 0; r < rounds; r++) {
    const h = run(process.execPath, ['bin/hardneg.js', ...backend, '--threads', `${threads}`, 'bench', 'moco-step', ...shape, ...extra, '--json']);
    hn.push(h.ms_per_step as number);
    hardnegBackend = h.backend as string;
    const t = run(PYTHON, ['bench/reference/moco_step.py', ...shape, ...extra, '--threads', `${threads}`, '--json'], pinned);
    pt.push(t.ms_per_step as number);
    torchVersion = t.torch as string;
  }
  const [h, t] = [median(hn), median(pt)];
  const step = mochi === undefined ? 'moco-step' : `moco-step + MoCHi(${mochi})`;
  const range = (v: number[]) => `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}`;
  console.log(
    `${step.padEnd(30)} ${threads} thread${threads === 1 ? ' ' : 's'}  hardneg (${hardnegBackend}) ${h.toFixed(2)} ms [${range(hn)}]` +
      `  torch ${torchVersion} ${t.toFixed(2)} ms [${range(pt)}]  torch_ms / hardneg_ms = ${(t / h).toFixed(3)}`,
  );
  return {
    step, threads, hardneg_backend: hardnegBackend, hardneg_ms: h, torch_ms: t, ratio: Number((t / h).toFixed(3)),
    hardneg_range: [Math.min(...hn), Math.max(...hn)], torch_range: [Math.min(...pt), Math.max(...pt)],
  };
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`B=${values.batch} K=${values.queue} D=${values.dim}; median of ${rounds} rounds of ${values.steps} steps each [range over rounds]`);
const rows: Row[] = values.threads!.split(',').map((t) => compare(Number(t)));
if (values.mochi !== 'none') rows.push(compare(1, values.mochi));
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(JSON.stringify({ bench: 'compare', batch: Number(values.batch), queue: Number(values.queue), dim: Number(values.dim), rows }));
