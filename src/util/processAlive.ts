/** Whether a process id names a running process, for locks and orphaned temporary files. */

/** True when a process with this id runs (signal 0 probes without sending anything). */
export function processAlive(pid: number): boolean {
  if (!(Number.isInteger(pid) && pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
