import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressBar } from '../../src/cli/progress.js';

test('a progress bar on a terminal draws its first frame with the payload: no {placeholder} is ever printed', () => {
  const stderr = process.stderr as NodeJS.WriteStream & { isTTY: boolean };
  const [tty, ci, write] = [stderr.isTTY, process.env.CI, stderr.write.bind(stderr)];
  let drawn = '';
  stderr.isTTY = true;
  delete process.env.CI;
  stderr.write = ((chunk: string | Uint8Array) => {
    drawn += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof stderr.write;
  try {
    const bar = progressBar(4, 'run', 'epoch {epoch} {value}/{total} loss {loss}');
    assert.equal(drawn, ''); // nothing before the first update
    bar.update(1, { epoch: 3, loss: '0.250' });
    bar.update(2, { epoch: 3, loss: '0.125' });
    bar.stop();
  } finally {
    stderr.write = write;
    stderr.isTTY = tty;
    if (ci !== undefined) process.env.CI = ci;
  }
  assert.match(drawn, /run epoch 3 1\/4 loss 0\.250/);
  assert.doesNotMatch(drawn, /\{epoch\}|\{loss\}/);
});
