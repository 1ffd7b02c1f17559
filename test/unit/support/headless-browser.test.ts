import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchHeadlessBrowser, type HeadlessBrowser } from '../../support/headless-browser.js';
import { requireChromium } from '../../support/require-chromium.js';

const PAGE = `<!DOCTYPE html><html><body style="margin:0">
<button id="go" style="margin:300px 0 0 40px" onclick="this.textContent='clicked'">go</button>
</body></html>`;

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1'), 'PNG signature').to.equal('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the headless browser of the tests (test/support/headless-browser.ts)', function () {
  let browser: HeadlessBrowser | undefined;
  let dir: string;

  before(async function () {
    await requireChromium(this);
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-browser-'));
    await writeFile(path.join(dir, 'page.html'), PAGE);
    browser = await launchHeadlessBrowser();
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens a file at the viewport asked for, clicks, evaluates and saves a screenshot of that size', async () => {
    const page = await browser!.openPage(pathToFileURL(path.join(dir, 'page.html')).href, {
      width: 640,
      height: 480,
    });
    expect(await page.evaluate<number[]>('[innerWidth, innerHeight]')).to.deep.equal([640, 480]);
    await page.click('#go');
    expect(await page.evaluate<string>('document.querySelector("#go").textContent')).to.equal('clicked');
    const shot = await page.screenshot(path.join(dir, 'page.png'));
    expect(pngSize(await readFile(shot))).to.deep.equal({ width: 640, height: 480 });
    await page.close();
  });

  it('rejects, with the reason, a page that cannot load, a throwing expression and a missing element', async () => {
    const missing = pathToFileURL(path.join(dir, 'missing.html')).href;
    await browser!.openPage(missing, { width: 640, height: 480 }).then(
      () => expect.fail('a missing file loaded'),
      (err: Error) => expect(err.message).to.match(/cannot load .*missing\.html: net::ERR_FILE_NOT_FOUND/),
    );
    const page = await browser!.openPage(pathToFileURL(path.join(dir, 'page.html')).href, {
      width: 640,
      height: 480,
    });
    await page.evaluate('null.x').then(
      () => expect.fail('the expression did not throw'),
      (err: Error) => expect(err.message).to.match(/^in the page: TypeError/),
    );
    await page.click('#nothing').then(
      () => expect.fail('clicked nothing'),
      (err: Error) => expect(err.message).to.equal('click: nothing matches #nothing'),
    );
    await page.close();
  });

  it('ends the browser process on close, and closes again without error', async () => {
    const pid = browser!.pid;
    expect(pid !== undefined && processExists(pid), 'the browser runs').to.equal(true);
    await browser!.close();
    expect(processExists(pid!), 'the browser process after close').to.equal(false);
    await browser!.close();
  });
});
