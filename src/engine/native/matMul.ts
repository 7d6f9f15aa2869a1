/**
 * Matrix products on the native backend through OpenBLAS `sgemm`: `BatchMatMul` and
 * `_FusedMatMul` (product, then bias and activation in place), every transpose form.
 *
 * Shapes: a `[…batchA, M, K]` (`[…, K, M]` with transposeA), b `[…batchB, K, N]` (`[…, N, K]`
 * with transposeB) → `[…broadcast(batchA, batchB), M, N]`. When one side's batch is the whole
 * output batch or a single matrix, all products are one strided call; other broadcasts (e.g.
 * `[3, 1]` with `[1, 4]`) call sgemm once per output matrix.
 */
import * as tf from '../tf.js';
import { requireAddon } from './addon.js';
import { applyEpilogue } from './epilogue.js';
import { allocate } from './memory.js';
import { floatValues, output, runCpu, sizeOf, type CpuBackend, type KernelArgs } from './kernelCall.js';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** Offset of each output batch's matrix in an operand with batch shape `dims` (broadcast to `outDims`). */
function batchOffsets(dims: number[], outDims: number[], matrixSize: number): Int32Array {
  const lead = outDims.length - dims.length;
  const total = sizeOf(outDims);
  const offsets = new Int32Array(total);
  for (let i = 0; i < total; i++) {
    let rest = i;
    let index = 0;
    let stride = 1;
    for (let d = outDims.length - 1; d >= 0; d--) {
      const coord = rest % outDims[d];
      rest = Math.floor(rest / outDims[d]);
      const own = d - lead >= 0 ? dims[d - lead] : 1;
      if (own !== 1) index += coord * stride;
      stride *= own;
    }
    offsets[i] = index * matrixSize;
  }
  return offsets;
}

/** a·b (with the transposes) as a new `[…, M, N]` array, and its shape; av, bv are the operands' values. */
export function product(
  a: tf.TensorInfo, av: Float32Array, b: tf.TensorInfo, bv: Float32Array, { transposeA, transposeB }: MatMulAttrs,
): { shape: number[]; values: Float32Array } {
  const [ra, rb] = [a.shape.length, b.shape.length];
  if (ra < 2 || rb < 2) throw new Error(`matMul: both operands need rank >= 2, got shapes [${a.shape}] and [${b.shape}]`);
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K !== Kb) {
    throw new Error(`Error in matMul: inner shapes (${K}) and (${Kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  }
  const dimsA = a.shape.slice(0, -2);
  const dimsB = b.shape.slice(0, -2);
  const outDims = tf.backend_util.assertAndGetBroadcastShape(dimsA, dimsB);
  const batch = sizeOf(outDims);
  const shape = [...outDims, M, N];
  const values = allocate(batch * M * N);
  if (values.length === 0) return { shape, values };
  const gemm = requireAddon().gemm;
  const [batchA, batchB] = [sizeOf(dimsA), sizeOf(dimsB)];
  if ((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1)) {
    gemm(transposeA, transposeB, M, N, K, 1, av, batchA === 1 ? 0 : M * K, bv, batchB === 1 ? 0 : K * N, 0, values, batch);
  } else {
    const offA = batchOffsets(dimsA, outDims, M * K);
    const offB = batchOffsets(dimsB, outDims, K * N);
    for (let i = 0; i < batch; i++) {
      gemm(transposeA, transposeB, M, N, K, 1, av.subarray(offA[i], offA[i] + M * K), 0, bv.subarray(offB[i], offB[i] + K * N), 0, 0, values.subarray(i * M * N), 1);
    }
  }
  return { shape, values };
}

function batchMatMul({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuBackend;
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const [av, bv] = [floatValues(cpu, a), floatValues(cpu, b)];
  if (av === undefined || bv === undefined) return runCpu('BatchMatMul', { inputs, backend: cpu, attrs });
  const { shape, values } = product(a, av, b, bv, attrs as unknown as MatMulAttrs);
  return output(cpu, shape, values);
}

function fusedMatMul({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuBackend;
  const { a, b, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
  const { activation = 'linear', leakyreluAlpha } = attrs as { activation?: string; leakyreluAlpha?: number };
  const [av, bv, biasValues] = [floatValues(cpu, a), floatValues(cpu, b), floatValues(cpu, bias)];
  if (av === undefined || bv === undefined || (bias !== undefined && biasValues === undefined)) {
    return runCpu('_FusedMatMul', { inputs, backend: cpu, attrs });
  }
  const { shape, values } = product(a!, av, b!, bv, attrs as unknown as MatMulAttrs);
  return applyEpilogue(cpu, output(cpu, shape, values), { bias, activation, preluActivationWeights, leakyreluAlpha });
}

export const matMulKernels: Record<string, tf.KernelFunc> = { BatchMatMul: batchMatMul, _FusedMatMul: fusedMatMul };
