import { formatDuration } from '../time/duration.js';

/** Progress lines on stdout, stamped with the time since the command started. */
export function progressPrinter(started = performance.now()): (line: string) => void {
  return (line) => {
    const elapsed = formatDuration(performance.now() - started).padStart(6);
    process.stdout.write(`[${elapsed}] ${line}\n`);
  };
}
