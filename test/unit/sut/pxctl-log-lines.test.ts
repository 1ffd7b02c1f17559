import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { portworxAgentCommands } from '../../../lib/sut/portworx/portworx-agent-stop.js';
import { readPxctlJsonStatus } from '../../../lib/sut/portworx/px-health.js';
import { kubePxHealthProbe } from '../../../lib/sut/portworx/px-health-probe.js';
import { parsePxVolumes } from '../../../lib/sut/portworx/px-volume-state.js';
import { PXCTL } from '../../../lib/sut/portworx/pxctl-path.js';
import { findPxctlJson, isPxctlLogLine, pxctlStdout } from '../../../lib/sut/portworx/pxctl-output.js';
import { readPxctlStatusHead } from '../../../lib/sut/portworx/pxctl-status.js';
import { readPxctlStatusNodes } from '../../../lib/sut/portworx/pxctl-status-nodes.js';
import { pxFixture } from '../../support/px-fixtures.js';
import { pxExecApi, pxPod, type PxExecApi } from '../../support/px-exec-api.js';

/**
 * PX's own log lines around and inside pxctl's output, taken from the recordings: the terminal
 * format PX 3.x printed between `Status:` and `Telemetry:` (sched-ops PR #410), and logrus's text
 * format without a terminal, as Stork's recorded log lines have it (stork PR #1834).
 */
const TERMINAL_LOG = pxFixture(
  'pxctl-status-px3.x-log-lines-interleaved-kvdb-device-TRUNCATED-schedops-pr410-2024.txt',
)
  .split('\n')
  .filter((l) => /^(DEBU|INFO)\[/.test(l));
const TEXT_LOG = pxFixture('stork-log-deleting-pod-px-offline-stork-pr1834-2024.txt')
  .split('\n')
  .filter((l) => l.startsWith('time="'));
const LOG = [...TERMINAL_LOG.slice(0, 2), ...TEXT_LOG.slice(0, 2)].join('\n');
const HEALTHY_3 = pxFixture('pxctl-status-healthy-3nodes-px2.2.0.txt');
const VOLUME = pxFixture('pxctl-j-volume-inspect-shared-repl2-detached-pxdocs2018.json');
const STATUS_OK = '{\n "status": "STATUS_OK"\n}\n';

/** `text` with the log lines put after its `line`-th line. */
function withLogAfter(text: string, line: number): string {
  const lines = text.split('\n');
  return [...lines.slice(0, line), LOG, ...lines.slice(line)].join('\n');
}

describe("pxctl's own log lines (PX 3.x logrus output)", () => {
  it('the recordings hold both logrus formats, and each of their lines reads as a log line', () => {
    expect(TERMINAL_LOG).to.have.length(5);
    expect(TEXT_LOG.length).to.be.greaterThan(1);
    for (const l of [...TERMINAL_LOG, ...TEXT_LOG]) expect(isPxctlLogLine(l), l).to.equal(true);
    for (const l of HEALTHY_3.split('\n')) expect(isPxctlLogLine(l), l).to.equal(false);
  });

  describe('on stdout, before and after the output', () => {
    it('pxctl -j status: the document is found between log lines', () => {
      for (const text of [`${LOG}\n${STATUS_OK}`, `${STATUS_OK}${LOG}\n`, `${LOG}\n${STATUS_OK}${LOG}\n`])
        expect(readPxctlJsonStatus(text), text).to.deep.equal({ ok: true, status: 'STATUS_OK' });
    });

    it('pxctl -j status: a logrus JSON line is not the document', () => {
      const jsonLog =
        '{"level":"info","msg":"Using GW interface device:[eth0]...","time":"2024-09-26T00:37:00Z"}';
      expect(isPxctlLogLine(jsonLog)).to.equal(true);
      expect(readPxctlJsonStatus(`${jsonLog}\n${STATUS_OK}`).ok).to.equal(true);
    });

    it('pxctl -j volume inspect: the recorded array is read whole between log lines', () => {
      const clean = parsePxVolumes(VOLUME);
      for (const text of [`${LOG}\n${VOLUME}`, `${VOLUME}\n${LOG}\n`, `${LOG}\n${VOLUME}\n${LOG}`])
        expect(parsePxVolumes(text)).to.deep.equal(clean);
    });

    it('a shell prompt opening with [ is passed over; a cut document is unreadable, not a guess', () => {
      expect(findPxctlJson(`[root@akrpan-cluster-1 /]# pxctl -j status\n${STATUS_OK}`, 'x')).to.deep.equal({
        status: 'STATUS_OK',
      });
      expect(() => parsePxVolumes(`${LOG}\n${VOLUME.slice(0, 400)}`)).to.throw(
        /^could not read PX state: PX volume output is not JSON/,
      );
      expect(() => parsePxVolumes(LOG)).to.throw(/^could not read PX state: PX volume output is not JSON/);
    });

    it('pxctl status text: head and node table read the same with log lines anywhere in them', () => {
      const head = readPxctlStatusHead(HEALTHY_3);
      const nodes = readPxctlStatusNodes(HEALTHY_3);
      const lines = HEALTHY_3.split('\n').length;
      for (let at = 0; at <= lines; at++) {
        const text = withLogAfter(HEALTHY_3, at);
        expect(readPxctlStatusHead(text), `log after line ${at}`).to.deep.equal(head);
        expect(readPxctlStatusNodes(text), `log after line ${at}`).to.deep.equal(nodes);
      }
    });
  });

  describe('on stderr', () => {
    it('stdout is what is read; stderr only explains an empty stdout', () => {
      expect(pxctlStdout({ stdout: STATUS_OK, stderr: LOG, exitCode: 0 })).to.equal(STATUS_OK);
      const none = pxctlStdout({ stdout: `${LOG}\n`, stderr: `${LOG}\nconnection refused\n`, exitCode: 1 });
      expect(none).to.be.instanceOf(Error);
      expect((none as Error).message).to.equal('exit 1, nothing on stdout: connection refused');
    });

    describe("the health probe's exec (stand-in API server)", () => {
      let px: PxExecApi;
      const answers: Record<string, { stdout?: string; stderr?: string; exitCode?: number }> = {};
      before(async () => {
        px = await pxExecApi(
          () => [
            pxPod('px-a', 'kube-system', 'n1', '10.0.0.1'),
            pxPod('px-b', 'kube-system', 'n2', '10.0.0.2'),
          ],
          (call) => answers[call.pod] ?? { exitCode: 1 },
        );
      });
      after(() => px.dispose());

      it('log lines on stderr, on stdout, or both: every node up', async () => {
        answers['px-a'] = { stdout: STATUS_OK, stderr: `${LOG}\n` };
        answers['px-b'] = { stdout: `${LOG}\n${STATUS_OK}${LOG}\n`, stderr: `${LOG}\n` };
        const probe = kubePxHealthProbe(
          px.client,
          { namespace: 'kube-system', labelSelector: 'name=portworx', container: 'portworx' },
          ['n1', 'n2'],
        );
        expect(await probe()).to.deep.equal([
          { node: 'n1', up: true, says: 'STATUS_OK' },
          { node: 'n2', up: true, says: 'STATUS_OK' },
        ]);
        expect(px.execs.map((e) => e.argv)).to.deep.equal([
          [PXCTL, '-j', 'status'],
          [PXCTL, '-j', 'status'],
        ]);
      });

      it('PX down: its line on stdout, log lines on stderr, exit 1: not up, saying why', async () => {
        answers['px-a'] = { stdout: 'PX is not running on this host\n', stderr: `${LOG}\n`, exitCode: 1 };
        answers['px-b'] = {
          stdout: '',
          stderr: `${LOG}\ndial unix /var/lib/osd/driver/pxd.sock: connect\n`,
          exitCode: 1,
        };
        const probe = kubePxHealthProbe(
          px.client,
          { namespace: 'kube-system', labelSelector: 'name=portworx', container: 'portworx' },
          ['n1', 'n2'],
        );
        expect(await probe()).to.deep.equal([
          { node: 'n1', up: false, says: 'PX is not running on this host' },
          {
            node: 'n2',
            up: false,
            says: 'pxctl -j status failed: exit 1, nothing on stdout: dial unix /var/lib/osd/driver/pxd.sock: connect',
          },
        ]);
      });
    });

    it("the agent fault's status command: STATUS_OK found among log lines on either stream", () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'pxchaos-pxctl-'));
      const fake = path.join(dir, 'pxctl');
      const status = portworxAgentCommands('systemctl', 'n1').status;
      const run = (stdout: string, stderr: string, exit: number): number => {
        writeFileSync(path.join(dir, 'out'), stdout);
        writeFileSync(path.join(dir, 'err'), stderr);
        writeFileSync(fake, `#!/bin/sh\ncat '${dir}/out'\ncat '${dir}/err' >&2\nexit ${exit}\n`);
        chmodSync(fake, 0o755);
        try {
          execFileSync(
            status[0]!,
            [...status.slice(1, 2), status[2]!.replaceAll(PXCTL, fake), ...status.slice(3)],
            {
              stdio: 'pipe',
            },
          );
          return 0;
        } catch (e) {
          return (e as { status: number }).status;
        }
      };
      expect(run(`${LOG}\n${STATUS_OK}${LOG}\n`, `${LOG}\n`, 0)).to.equal(0);
      expect(run(STATUS_OK, `${LOG}\n`, 0)).to.equal(0);
      expect(run('PX is not running on this host\n', `${LOG}\n`, 1)).to.not.equal(0);
      expect(run(`${LOG}\n{\n "status": "STATUS_INIT"\n}\n`, `${LOG}\n`, 0)).to.not.equal(0);
    });
  });
});
