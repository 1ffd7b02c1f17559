#!/usr/bin/env node
// Plain JS entry: registers tsx so the TypeScript sources run as they are, without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
const code = await main(process.argv);
// Exit explicitly: a stray handle (a lingering socket) must not keep a finished command alive.
process.exit(code);
