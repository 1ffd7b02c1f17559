/**
 * The fault's own command inside inject's one exec (timerThenArgv: the auto-revert timer, then the
 * command), so that a pretend node acts on what the command does; any other argv as it is.
 */
export function faultCommand(argv: readonly string[]): readonly string[] {
  return argv[3] === 'pxchaos-inject' ? argv.slice(6) : argv;
}
