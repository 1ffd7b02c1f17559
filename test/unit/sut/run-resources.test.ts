import { expect } from 'chai';
import { expectedAccountRows, pgbenchInitArgv } from '../../../lib/sut/postgres-on-k8s/pgbench-init.js';
import {
  generatePassword,
  postgresSecret,
  redactSecret,
} from '../../../lib/sut/postgres-on-k8s/postgres-secret.js';
import {
  isRunNamespace,
  MANAGED_BY_LABEL,
  newRunId,
  RUN_LABEL,
  runNamespace,
} from '../../../lib/sut/postgres-on-k8s/run-namespace.js';

describe('run namespace', () => {
  it('is labelled with its run and the harness, and recognised as deletable', () => {
    const id = newRunId();
    const ns = runNamespace('pxchaos-run', id);
    expect(ns.metadata?.labels?.[RUN_LABEL]).to.equal(id);
    expect(ns.metadata?.labels?.[MANAGED_BY_LABEL]).to.equal('pxchaos');
    expect(isRunNamespace(ns, 'pxchaos-run')).to.equal(true);
    expect(isRunNamespace(ns, 'pxchaos-run', id)).to.equal(true);
  });

  it('never takes someone else’s namespace for one of its own', () => {
    const id = newRunId();
    const own = runNamespace('pxchaos-run', id);
    const labels = own.metadata!.labels!;
    const variants = [
      { metadata: { name: 'kube-system' } },
      { metadata: { name: own.metadata!.name!, labels: { [RUN_LABEL]: id } } }, // not managed by pxchaos
      { metadata: { name: own.metadata!.name!, labels: { [MANAGED_BY_LABEL]: 'pxchaos' } } }, // no run
      { metadata: { name: 'production', labels } }, // labels copied onto another name
    ];
    for (const ns of variants) expect(isRunNamespace(ns, 'pxchaos-run'), JSON.stringify(ns)).to.equal(false);
    expect(isRunNamespace(own, 'pxchaos-run', newRunId()), 'another run').to.equal(false);
    expect(isRunNamespace(own, 'other-prefix'), 'another prefix').to.equal(false);
  });

  it('draws distinct run ids', () => {
    const ids = new Set(Array.from({ length: 50 }, newRunId));
    expect(ids.size).to.equal(50);
  });
});

describe('Postgres secret', () => {
  it('redacts every value, keeps every key and leaves the original intact', () => {
    const password = generatePassword();
    const secret = postgresSecret('ns', password);
    const shown = redactSecret(secret);
    expect(JSON.stringify(shown)).not.to.include(password);
    expect(Object.keys(shown.stringData ?? {})).to.deep.equal(Object.keys(secret.stringData ?? {}));
    expect(Object.values(secret.stringData ?? {})).to.include(password);
    const withData = redactSecret({ ...secret, data: { x: Buffer.from(password).toString('base64') } });
    expect(JSON.stringify(withData)).not.to.include(Buffer.from(password).toString('base64'));
  });

  it('generates long, distinct passwords', () => {
    const a = generatePassword();
    expect(a.length).to.be.at.least(24);
    expect(generatePassword()).not.to.equal(a);
    expect(() => postgresSecret('ns', '')).to.throw();
  });
});

describe('pgbench initialisation', () => {
  it('expects 100,000 accounts per scale unit (scale 10 = 1,000,000 rows, portworx.md)', () => {
    expect(expectedAccountRows(10)).to.equal(1_000_000);
    expect(expectedAccountRows(1) * 7).to.equal(expectedAccountRows(7));
    for (const bad of [0, -1, 1.5]) expect(() => expectedAccountRows(bad), String(bad)).to.throw();
  });

  it('initialises at the given scale', () => {
    const argv = pgbenchInitArgv(25);
    expect(argv[0]).to.equal('pgbench');
    expect(argv).to.include('-i');
    expect(argv[argv.indexOf('-s') + 1]).to.equal('25');
    expect(() => pgbenchInitArgv(0)).to.throw();
  });
});
