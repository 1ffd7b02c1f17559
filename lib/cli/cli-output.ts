import { formatDuration } from '../time/duration.js';

/** Progress lines on stdout, stamped with the time since the command started. */
export function progressPrinter(started = performance.now()): (line: string) => void {
  return (line) => {
    const elapsed = formatDuration(performance.now() - started).padStart(6);
    process.stdout.write(`[${elapsed}] ${line}\n`);
  };
}

/** Progress on stdout for people, on stderr with --json so stdout stays one JSON document. */
export function progressFor(json: boolean | undefined): (line: string) => void {
  if (!json) return progressPrinter();
  const started = performance.now();
  return (line) =>
    process.stderr.write(`[${formatDuration(performance.now() - started).padStart(6)}] ${line}\n`);
}
