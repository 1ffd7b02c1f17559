import type { DriveCommands } from '../../lib/sut/sut.js';

/** The drive's `error` command, for a drive the test knows can fail with errors (not the local driver's). */
export function driveErrorArgv(drive: DriveCommands): readonly string[] {
  if (!drive.error) throw new Error('this drive can only hang: it has no error command');
  return drive.error;
}
