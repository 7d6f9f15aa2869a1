/**
 * Typed arrays that one caller reuses from call to call, by name: a training step that makes the
 * same-sized host arrays every step (MoCHi's selection, draws and mix: ~2 MB at B = 256) takes
 * them from here instead of allocating fresh ones, whose zeroing and page faults cost about as
 * much as the work that fills them. The caller must be done with the previous call's arrays
 * before it asks again, and must write every element (contents are whatever the last call left).
 */
type Typed = Int32Array | Float32Array | Float64Array;

export class HostScratch {
  private readonly arrays = new Map<string, Typed>();

  int32(name: string, n: number): Int32Array {
    return this.get(name, n, Int32Array);
  }

  float32(name: string, n: number): Float32Array {
    return this.get(name, n, Float32Array);
  }

  float64(name: string, n: number): Float64Array {
    return this.get(name, n, Float64Array);
  }

  private get<T extends Typed>(name: string, n: number, make: new (n: number) => T): T {
    const kept = this.arrays.get(name);
    if (kept instanceof make && kept.length === n) return kept;
    const fresh = new make(n);
    this.arrays.set(name, fresh);
    return fresh;
  }
}
