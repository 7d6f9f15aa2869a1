import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireOptional } from '../../src/util/optionalPackage.js';

test('an optional package that is installed loads; a missing one is a one-line error naming the install command', () => {
  const yaml = requireOptional<{ parse(s: string): unknown }>('yaml', 'configs');
  assert.deepEqual(yaml.parse('a: 1'), { a: 1 });
  assert.throws(() => requireOptional('hardneg-no-such-package', 'the feature'), {
    message: "the feature needs the optional package 'hardneg-no-such-package': npm install hardneg-no-such-package",
  });
});
