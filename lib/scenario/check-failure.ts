/**
 * The error a failed check throws in its mocha test: the verdict's message (expected vs measured)
 * and nothing else. Its stack is the message alone, so the reporter prints no frames and no
 * "expected false to equal true" diff: they mean nothing to a user.
 */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'check failed';
    this.stack = `${this.name}: ${message}`;
  }
}
