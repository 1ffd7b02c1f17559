import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { DevToolsPipe } from './devtools-pipe.js';
import { CHROMIUM } from './require-chromium.js';

export interface Viewport {
  readonly width: number;
  readonly height: number;
}

/** Deadlines of the browser's steps; a step that overruns rejects, naming itself. */
const STEP_MS = 10_000;
const LAUNCH_MS = 30_000;
const LOAD_MS = 30_000;
const EXIT_MS = 5_000;
const STDERR_LINES = 20;

/**
 * A headless Chromium for tests: `launchHeadlessBrowser()`, then `openPage(url, viewport)` to load
 * a file:// or http URL, evaluate JS that returns JSON, click, and save PNG screenshots. Call
 * `close()` in an `after` hook: it asks the browser to quit and kills it when it does not.
 */
export async function launchHeadlessBrowser(): Promise<HeadlessBrowser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'pxchaos-chromium-'));
  const child = spawn(
    CHROMIUM,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      '--remote-debugging-pipe',
      `--user-data-dir=${userDataDir}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  const browser = new HeadlessBrowser(child, userDataDir);
  try {
    await browser.ready();
    return browser;
  } catch (err) {
    await browser.close();
    throw err;
  }
}

export class HeadlessBrowser {
  private readonly devtools: DevToolsPipe;
  private readonly stderrTail: string[] = [];
  private readonly exited: Promise<void>;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly userDataDir: string,
  ) {
    this.devtools = new DevToolsPipe(child.stdio[3] as Writable, child.stdio[4] as Readable);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail.push(...chunk.split('\n').filter(Boolean));
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - STDERR_LINES));
    });
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
  }

  /** The browser's process id (its renderers are its children). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves once the browser answers on its DevTools pipe; rejects with its stderr when it cannot start. */
  async ready(): Promise<void> {
    const spawnError = once(this.child, 'error').then(([err]: unknown[]) => {
      throw new Error(`${CHROMIUM} did not start: ${(err as Error).message}`);
    });
    const version = this.devtools.send('Browser.getVersion', {}, { timeoutMs: LAUNCH_MS });
    try {
      await Promise.race([version, spawnError]);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${this.stderrTail.join('\n')}`.trim());
    }
  }

  /** A new tab at `viewport` (CSS pixels, scale 1) showing `url` once its load event has fired. */
  async openPage(url: string, viewport: Viewport): Promise<BrowserPage> {
    const target = await this.devtools.send(
      'Target.createTarget',
      { url: 'about:blank' },
      { timeoutMs: STEP_MS },
    );
    const targetId = String(target.targetId);
    const attached = await this.devtools.send(
      'Target.attachToTarget',
      { targetId, flatten: true },
      { timeoutMs: STEP_MS },
    );
    const page = new BrowserPage(this.devtools, targetId, String(attached.sessionId));
    await page.setViewport(viewport);
    await page.goto(url);
    return page;
  }

  /** Asks the browser to quit, kills it if it has not within a few seconds, removes its profile. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.child.exitCode === null && this.child.signalCode === null) {
        await this.devtools.send('Browser.close', {}, { timeoutMs: EXIT_MS }).catch(() => undefined);
        if (!(await exitsWithin(this.exited, EXIT_MS))) {
          this.child.kill('SIGKILL');
          await exitsWithin(this.exited, EXIT_MS);
        }
      }
      await rm(this.userDataDir, { recursive: true, force: true });
    })();
    return this.closing;
  }
}

export class BrowserPage {
  constructor(
    private readonly devtools: DevToolsPipe,
    private readonly targetId: string,
    private readonly sessionId: string,
  ) {}

  async setViewport(viewport: Viewport): Promise<void> {
    await this.send('Emulation.setDeviceMetricsOverride', {
      width: viewport.width,
      height: viewport.height,
      deviceScaleFactor: 1,
      mobile: false,
    });
  }

  /** Navigates and waits for the load event (a file that cannot be loaded rejects with the browser's reason). */
  async goto(url: string): Promise<void> {
    await this.send('Page.enable');
    const loaded = this.devtools.nextEvent('Page.loadEventFired', this.sessionId, LOAD_MS);
    const navigated = this.send('Page.navigate', { url }).then((r) => {
      if (typeof r.errorText === 'string') throw new Error(`cannot load ${url}: ${r.errorText}`);
    });
    await Promise.all([navigated, loaded]);
  }

  /**
   * Evaluates `expression` in the page (a promise is awaited) and returns its value as JSON; the
   * caller states the shape it built. An exception in the page rejects with its description.
   */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    const thrown = r.exceptionDetails as { text?: string; exception?: { description?: string } } | undefined;
    if (thrown)
      throw new Error(`in the page: ${thrown.exception?.description ?? thrown.text ?? 'exception'}`);
    return (r.result as { value?: unknown } | undefined)?.value as T;
  }

  /** Scrolls the first element matching `selector` into view and clicks its centre with the mouse. */
  async click(selector: string): Promise<void> {
    const centre = await this.evaluate<{ x: number; y: number } | null>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null;
      el.scrollIntoView({ block: 'center', inline: 'center' });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (!centre) throw new Error(`click: nothing matches ${selector}`);
    for (const type of ['mousePressed', 'mouseReleased']) {
      await this.send('Input.dispatchMouseEvent', { type, ...centre, button: 'left', clickCount: 1 });
    }
  }

  /**
   * Saves a PNG of the viewport, of the whole page (`fullPage`), or of the first element matching
   * `selector`; returns the file's path.
   */
  async screenshot(file: string, options: { fullPage?: boolean; selector?: string } = {}): Promise<string> {
    const clip = options.selector
      ? await this.evaluate<{ x: number; y: number; width: number; height: number } | null>(`(() => {
          const el = document.querySelector(${JSON.stringify(options.selector)});
          if (!el) return null;
          const r = el.getBoundingClientRect();
          return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
        })()`)
      : options.fullPage
        ? await this.send('Page.getLayoutMetrics').then((m) => {
            const size = m.cssContentSize as { width: number; height: number };
            return { x: 0, y: 0, width: size.width, height: size.height };
          })
        : undefined;
    if (options.selector && !clip) throw new Error(`screenshot: nothing matches ${options.selector}`);
    const shot = await this.send('Page.captureScreenshot', {
      format: 'png',
      ...(clip ? { clip: { ...clip, scale: 1 }, captureBeyondViewport: true } : {}),
    });
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, Buffer.from(String(shot.data), 'base64'));
    return file;
  }

  async close(): Promise<void> {
    await this.devtools.send('Target.closeTarget', { targetId: this.targetId }, { timeoutMs: STEP_MS });
  }

  private send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.devtools.send(method, params, { sessionId: this.sessionId, timeoutMs: STEP_MS });
  }
}

async function exitsWithin(exited: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([exited.then(() => true as const), timedOut]);
  clearTimeout(timer);
  return result;
}
