/** Messages between the page and the training worker. */
export type ToWorker = { type: 'start'; digitsUrl: string; backend?: string } | { type: 'pause' } | { type: 'resume' };

export type RunName = 'moco' | 'mochi';

export type FromWorker =
  | { type: 'engine'; backend: string; line: string }
  | { type: 'data'; train: number; test: number }
  | { type: 'step'; run: RunName; step: number; loss: number; stepsPerSecond: number; queueFull: boolean }
  | { type: 'eval'; run: RunName; step: number; knnTop1: number; proxyAcc: number }
  | { type: 'paused'; paused: boolean }
  | { type: 'error'; message: string };
