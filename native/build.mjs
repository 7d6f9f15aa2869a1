// Builds hardneg's optional native addon (build/Release/hardneg_native.node) with node-gyp.
// Run by `npm ci` / `npm install` (the package's install script) and by `npm run build:native`.
// It never fails the install: without a compiler, the Node headers or OpenBLAS (Debian:
// apt-get install -y libopenblas-dev) it prints why and hardneg runs on its wasm backend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** node-gyp: the one npm runs scripts with, else npm's bundled copy next to this node, else PATH. */
function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')];
  for (const path of candidates) if (path && existsSync(path)) return [process.execPath, path];
  try {
    return [process.execPath, createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    return ['node-gyp'];
  }
}

/** Build against the headers installed beside this node (no download) unless npm names a nodedir. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

const [cmd, ...pre] = nodeGyp();
const result = spawnSync(cmd, [...pre, 'rebuild', ...nodedirArgs()], { cwd: root, encoding: 'utf8', env: { ...process.env, JOBS: 'max' } });
const built = result.status === 0 && existsSync(join(root, 'build/Release/hardneg_native.node'));
if (built) {
  console.log('hardneg: built the native addon (OpenBLAS); the native backend is available');
} else {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  const why = output.split('\n').filter((l) => /error|not found|No such file|ERR!/i.test(l)).slice(0, 4).join('\n  ');
  console.warn(
    'hardneg: the native addon was not built, so hardneg will use its wasm backend.\n' +
      `  ${why || 'node-gyp failed'}\n` +
      '  To build it: apt-get install -y libopenblas-dev (and a C compiler), then npm run build:native',
  );
}
