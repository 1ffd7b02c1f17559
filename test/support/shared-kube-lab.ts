import { kubeLabDown } from '../../lib/kube-lab/kube-lab-down.js';
import { kubeLabUp, type KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';

/**
 * One kube lab for every integration suite that only needs *a* cluster (the kube-lab suite itself
 * tests up/down on its own lab): a cold up costs ~100 s on 2 cores, so it is brought up once per
 * mocha process and taken down by the root hook (test/support/root-hooks.ts) only if this process
 * created it; a lab found running stays.
 */
export const SHARED_KUBE_LAB = process.env.PXCHAOS_TEST_KUBE_LAB ?? 'pxkube-shared-it';

let shared: Promise<KubeLabUp> | undefined;

export function sharedKubeLab(progress: (line: string) => void): Promise<KubeLabUp> {
  // One PV per run namespace, and a Released PV is recycled only by the next `up`: enough volumes
  // for every suite of one mocha process (postgres-on-k8s 1, k8s-targets, spare).
  shared ??= kubeLabUp({ name: SHARED_KUBE_LAB, workers: 3, volumes: 6, progress });
  // A failed up is retried by the next suite rather than remembered.
  shared.catch(() => {
    shared = undefined;
  });
  return shared;
}

export async function releaseSharedKubeLab(): Promise<void> {
  const up = await shared?.catch(() => undefined);
  shared = undefined;
  if (up?.outcome === 'created') await kubeLabDown(SHARED_KUBE_LAB);
}
