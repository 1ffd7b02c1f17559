import { stopLeftoverClis } from './cli-process.js';
import { releaseSharedKubeLab } from './shared-kube-lab.js';

/** Mocha root hooks (loaded through .mocharc's `require`): process-wide set-up and teardown. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(450_000);
    // Before the shared lab goes: a run still going heals its fault on the lab it ran on.
    await stopLeftoverClis((line) => console.error(`  root hooks: ${line}`));
    await releaseSharedKubeLab();
  },
};
