import { releaseSharedKubeLab } from './shared-kube-lab.js';

/** Mocha root hooks (loaded through .mocharc's `require`): process-wide set-up and teardown. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(300_000);
    await releaseSharedKubeLab();
  },
};
