import { expect } from 'chai';
import { parse } from 'yaml';
import { PxchaosError } from '../../../lib/errors.js';
import {
  allowLine,
  guardKubeContext,
  kubeLabOfContext,
  type KubeLabControlPlaneIps,
} from '../../../lib/targets/kube-context-guard.js';

/** A Docker stand-in: kube lab name → its control plane addresses; records what was asked. */
function labs(known: Record<string, string[]>): KubeLabControlPlaneIps & { asked: string[] } {
  const asked: string[] = [];
  const fn = (name: string): Promise<readonly string[]> => {
    asked.push(name);
    return Promise.resolve(known[name] ?? []);
  };
  return Object.assign(fn, { asked });
}

async function refused(promise: Promise<unknown>): Promise<PxchaosError> {
  const outcome = await promise.then(
    () => new Error('allowed'),
    (err: unknown) => err,
  );
  if (!(outcome instanceof PxchaosError)) throw outcome;
  return outcome;
}

describe('blast-radius guard (kube.allowedContexts)', () => {
  const LAB_SERVER = 'https://10.229.90.10:6443';

  it("allows a kube lab's own context when its server is the lab's control plane, without configuration", async () => {
    const controlPlaneIps = labs({ 'pxkube-a': ['10.229.90.10'] });
    const permit = await guardKubeContext('vm', { context: 'kind-pxkube-a', server: LAB_SERVER }, [], {
      controlPlaneIps,
    });
    expect(permit).to.deep.equal({ by: 'kube-lab', kubeLab: 'pxkube-a' });
    expect(controlPlaneIps.asked).to.deep.equal(['pxkube-a']);
  });

  it('refuses kind-<name> when no kube lab of that name runs (a real kind cluster), or its server is elsewhere', async () => {
    const controlPlaneIps = labs({ 'pxkube-a': ['10.229.90.10'] });
    for (const ref of [
      { context: 'kind-prod', server: 'https://127.0.0.1:41234' },
      { context: 'kind-pxkube-a', server: 'https://10.1.2.3:6443' },
      { context: 'kind-pxkube-a', server: '' },
    ]) {
      const err = await refused(guardKubeContext('kind', ref, [], { controlPlaneIps }));
      expect(err.exitCode, err.message).to.equal(2);
      expect(err.message).to.include(`kube context '${ref.context}'`);
    }
  });

  it('allows exactly the listed contexts (no patterns), and asks Docker only about kind-* names', async () => {
    const controlPlaneIps = labs({});
    const ref = { context: 'prod-east', server: 'https://10.0.0.1:6443' };
    expect(await guardKubeContext('vm', ref, ['prod-east'], { controlPlaneIps })).to.deep.equal({
      by: 'config',
    });
    await refused(guardKubeContext('vm', ref, ['prod-*', 'prod-east-2', 'PROD-EAST'], { controlPlaneIps }));
    expect(controlPlaneIps.asked).to.deep.equal([]);
  });

  it('says in one line how to allow the context, with a config line that parses to exactly that allow-list', async () => {
    const err = await refused(
      guardKubeContext('vm', { context: 'prod-east', server: 'https://10.0.0.1:6443' }, ['staging'], {
        controlPlaneIps: labs({}),
      }),
    );
    expect(err.message).to.equal(
      "target vm: kube context 'prod-east' (https://10.0.0.1:6443) is not allowed: faults would disrupt that cluster and kube.allowedContexts is [staging]; to allow it add 'prod-east' to kube.allowedContexts in the config, e.g. the line: kube: { allowedContexts: [prod-east] }",
    );
  });

  it('quotes context names that YAML would misread in a flow list', () => {
    for (const context of [
      'prod-east',
      'arn:aws:eks:eu-west-1:123456789012:cluster/prod',
      'gke_proj_europe-west1_c1',
      'a, b',
      '[x]',
      'foo: bar',
      '#hash',
      'admin@k8s',
      '123',
      'true',
    ]) {
      const parsed = parse(allowLine(context)) as { kube: { allowedContexts: unknown[] } };
      expect(parsed.kube.allowedContexts, allowLine(context)).to.deep.equal([context]);
    }
  });

  it('knows which context names could be a kube lab', () => {
    expect(kubeLabOfContext('kind-pxchaos')).to.equal('pxchaos');
    expect(kubeLabOfContext('kind-pxkube-h9c')).to.equal('pxkube-h9c');
    expect(kubeLabOfContext('kind-')).to.equal(undefined);
    expect(kubeLabOfContext('kind-Upper')).to.equal(undefined);
    expect(kubeLabOfContext('prod')).to.equal(undefined);
  });
});
