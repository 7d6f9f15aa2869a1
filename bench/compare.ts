/**
 * `npm run bench:compare`: runs `hardneg bench moco-step` and the same step in PyTorch
 * (`bench/reference/moco_step.py`) one after the other, at the same thread count, and prints both
 * times and the ratio torch_ms / hardneg_ms (> 1: hardneg is faster).
 *
 * Usage: npm run bench:compare [-- --backend wasm --batch 256 --queue 4096 --dim 128 --steps 20]
 * hardneg's wasm backend is single-threaded in Node, so PyTorch is pinned to 1 thread
 * (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, OMP_WAIT_POLICY=PASSIVE, torch.set_num_threads).
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

const PYTHON = '/usr/bin/python3';
const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '256' },
    queue: { type: 'string', default: '4096' },
    dim: { type: 'string', default: '128' },
    steps: { type: 'string', default: '20' },
    mochi: { type: 'string' },
  },
});
const threads = 1;
const shape = ['--batch', values.batch, '--queue', values.queue, '--dim', values.dim, '--steps', values.steps];
const mochi = values.mochi !== undefined ? ['--mochi', values.mochi] : [];

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

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version}; threads: ${threads} on both sides`);
const hardneg = run(process.execPath, ['bin/hardneg.js', '--backend', values.backend!, 'bench', 'moco-step', ...shape, ...mochi, '--json']);
const hn = hardneg.ms_per_step as number;
console.log(`hardneg (${hardneg.backend}): ${hn.toFixed(2)} ms/step`);

const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.log(`PyTorch is missing (${PYTHON} -c "import torch" failed). Install it with: apt-get install -y python3-torch libopenblas0-pthread`);
  process.exit(1);
}
const pinned = { ...process.env, OPENBLAS_NUM_THREADS: `${threads}`, OMP_NUM_THREADS: `${threads}`, OMP_WAIT_POLICY: 'PASSIVE' };
const torch = run(PYTHON, ['bench/reference/moco_step.py', ...shape, ...mochi, '--threads', `${threads}`, '--json'], pinned);
const tm = torch.ms_per_step as number;
console.log(`torch ${torch.torch} (cpu): ${tm.toFixed(2)} ms/step`);
console.log(`ratio torch_ms / hardneg_ms = ${(tm / hn).toFixed(3)} (B=${values.batch} K=${values.queue} D=${values.dim}${values.mochi ? ` MoCHi ${values.mochi}` : ''})`);
console.log(JSON.stringify({ bench: 'compare', step: 'moco-step', threads, hardneg_backend: hardneg.backend, hardneg_ms: hn, torch_ms: tm, ratio: Number((tm / hn).toFixed(3)) }));
