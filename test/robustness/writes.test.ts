/**
 * Writes that check every byte: an injected short write is completed or reported, never published
 * short; failures name the path; temporary files of dead processes are removed; the metrics log
 * survives a torn last line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { appendFileChecked, AtomicFileWriter, removeOrphanTemps, writeFileAtomic, WriteError } from '../../src/util/atomicWrite.js';
import { RunWriter } from '../../src/train/runWriter.js';
import { parseMetricsLog } from '../../src/train/metricsLog.js';
import { loadRun } from '../../src/report/runReader.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'hardneg-writes-'));
const payload = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));

/** A `writeSync` that writes at most `chunk` bytes per call, and none after `limit` bytes in all. */
function shortWrites(chunk: number, limit = Infinity): typeof writeSync {
  let total = 0;
  return ((fd: number, buffer: Uint8Array, offset: number, length: number) => {
    const n = Math.max(0, Math.min(chunk, length, limit - total));
    total += n;
    return n === 0 ? 0 : writeSync(fd, buffer, offset, n);
  }) as typeof writeSync;
}

/** A `writeSync` that fails with ENOSPC after `limit` bytes, as a full disk does. */
function fullDisk(limit: number): typeof writeSync {
  let total = 0;
  return ((fd: number, buffer: Uint8Array, offset: number, length: number) => {
    if (total >= limit) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const n = Math.min(length, limit - total);
    total += n;
    return writeSync(fd, buffer, offset, n);
  }) as typeof writeSync;
}

test('short writes are continued until every byte is written', () => {
  const dir = scratch();
  const file = join(dir, 'a.bin');
  writeFileAtomic(file, payload, shortWrites(7));
  assert.deepEqual(readFileSync(file), payload);
  appendFileChecked(join(dir, 'log.txt'), 'x'.repeat(1000), shortWrites(3));
  assert.equal(readFileSync(join(dir, 'log.txt'), 'utf8'), 'x'.repeat(1000));
});

test('a write that stops short or hits ENOSPC is an error naming the path; the old file stays, no temp file is left', () => {
  const dir = scratch();
  const file = join(dir, 'b.bin');
  writeFileSync(file, 'old');
  assert.throws(() => writeFileAtomic(file, payload, shortWrites(4096, 6000)), (e: Error) => e instanceof WriteError && e.message === `cannot write ${file}: wrote 6000 of 10000 bytes, then the system accepted no more`);
  assert.equal(readFileSync(file, 'utf8'), 'old');
  assert.throws(() => writeFileAtomic(file, payload, fullDisk(8192)), { message: `cannot write ${file}: no space left on device (ENOSPC)` });
  assert.equal(readFileSync(file, 'utf8'), 'old');
  const writer = new AtomicFileWriter(join(dir, 'c.jsonl'), fullDisk(10));
  assert.throws(() => writer.write('{"a": 1234567890}\n'), { message: `cannot write ${join(dir, 'c.jsonl')}: no space left on device (ENOSPC)` });
  writer.abort();
  assert.deepEqual(readdirSync(dir), ['b.bin']);
  assert.throws(() => appendFileChecked(join(dir, 'log'), 'abcdef', fullDisk(2)), { message: `cannot write ${join(dir, 'log')}: no space left on device (ENOSPC)` });
});

test('a target that is a directory, or under a file, is an error naming it', () => {
  const dir = scratch();
  mkdirSync(join(dir, 'd'));
  assert.throws(() => writeFileAtomic(join(dir, 'd'), 'x'), (e: Error) => e instanceof WriteError && e.message.startsWith(`cannot write ${join(dir, 'd')}: `) && /EISDIR|ENOTDIR|EEXIST|ENOTEMPTY/.test(e.message));
  writeFileSync(join(dir, 'f'), '');
  assert.throws(() => writeFileAtomic(join(dir, 'f', 'x.json'), 'x'), (e: Error) => e instanceof WriteError && e.message.includes(join(dir, 'f')));
  assert.deepEqual(readdirSync(dir).sort(), ['d', 'f']);
});

test('temporary files of processes that no longer run are removed; a running one keeps its own', () => {
  const dir = scratch();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(join(dir, `.out.jsonl.${dead}.tmp`), 'partial');
  mkdirSync(join(dir, `.model.tmp-${dead}-0a1b2c3d`));
  writeFileSync(join(dir, `.out.jsonl.${process.pid}.tmp`), 'in progress');
  writeFileSync(join(dir, `.other.${dead}.tmp`), 'not ours');
  assert.deepEqual(removeOrphanTemps(dir, ['out.jsonl', 'model']).sort(), [join(dir, `.model.tmp-${dead}-0a1b2c3d`), join(dir, `.out.jsonl.${dead}.tmp`)]);
  assert.deepEqual(readdirSync(dir).sort(), [`.other.${dead}.tmp`, `.out.jsonl.${process.pid}.tmp`]);
});

test('metrics.jsonl: a torn last line is dropped (and rewritten away on the next append), also by the report; a bad line elsewhere names file and line', async () => {
  const dir = scratch();
  const run = new RunWriter(dir);
  run.appendMetrics({ epoch: 1, loss: 2.5 });
  writeFileSync(run.file('metrics.jsonl'), '{"epoch":1,"loss":2.5}\n{"epoch":2,"lo', { flag: 'w' });
  assert.deepEqual(run.metrics(), [{ epoch: 1, loss: 2.5 }]);
  assert.deepEqual((await loadRun(dir)).metrics, [{ epoch: 1, loss: 2.5 }]);
  run.appendMetrics({ epoch: 2, loss: 2.25 });
  assert.equal(readFileSync(run.file('metrics.jsonl'), 'utf8'), '{"epoch":1,"loss":2.5}\n{"epoch":2,"loss":2.25}\n');
  assert.throws(() => parseMetricsLog('{"epoch":1}\n{"epoch":2,"lo\n{"epoch":3}\n', 'm.jsonl'), /^DataError: m\.jsonl line 2: invalid JSON/);
  assert.throws(() => parseMetricsLog('{"epoch":0}\n', 'm.jsonl'), { message: 'm.jsonl line 1: expected an integer "epoch" >= 1, got 0' });
  writeFileSync(run.file('state.json'), '{"position": {"epo');
  assert.throws(() => run.readJson('state.json'), (e: Error) => e.message.startsWith(`${run.file('state.json')}: invalid JSON`));
  assert.equal(existsSync(run.file('.metrics.jsonl.tmp')), false);
});
