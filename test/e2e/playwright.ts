// Minimal, hand-written types for the part of playwright-core that the e2e tests use, and a loader
// that takes playwright-core from the e2e tools folder (.cache/e2e-tools, see scripts/e2e/setup.sh).
//
// Why not `import type ... from 'playwright-core'`: playwright-core is deliberately NOT a dependency
// of the root package (the e2e tools live in their own folder, installed under Node 24 with
// code-server). Importing its types by path (`../../.cache/e2e-tools/node_modules/playwright-core`)
// would make `npm run typecheck` fail on every checkout that has not run scripts/e2e/setup.sh, which
// includes other engineers' machines and the CI step that type-checks before the e2e setup. These
// interfaces are a structural subset of playwright-core 1.65's own declarations: extend them when a
// test needs more (the method names and signatures are Playwright's, see its API docs).
import { createRequire } from 'node:module';
import * as path from 'node:path';

export type WaitState = 'attached' | 'detached' | 'visible' | 'hidden';

export interface Locator {
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  filter(options: { hasText?: string | RegExp; hasNotText?: string | RegExp }): Locator;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  waitFor(options?: { state?: WaitState; timeout?: number }): Promise<void>;
  click(options?: { timeout?: number; button?: 'left' | 'right' | 'middle' }): Promise<void>;
  fill(value: string, options?: { timeout?: number }): Promise<void>;
  press(key: string, options?: { timeout?: number }): Promise<void>;
  count(): Promise<number>;
  isVisible(): Promise<boolean>;
  textContent(options?: { timeout?: number }): Promise<string | null>;
  innerText(options?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
  inputValue(options?: { timeout?: number }): Promise<string>;
  hover(options?: { timeout?: number; position?: { x: number; y: number } }): Promise<void>;
  dblclick(options?: { timeout?: number }): Promise<void>;
  selectOption(value: string, options?: { timeout?: number }): Promise<string[]>;
  boundingBox(options?: { timeout?: number }): Promise<BoundingBox | null>;
  screenshot(options?: { path?: string; timeout?: number }): Promise<Buffer>;
}

export interface BoundingBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Mouse {
  move(x: number, y: number, options?: { steps?: number }): Promise<void>;
  click(x: number, y: number, options?: { button?: 'left' | 'right' | 'middle'; clickCount?: number }): Promise<void>;
  wheel(deltaX: number, deltaY: number): Promise<void>;
  down(options?: { button?: 'left' | 'right' | 'middle' }): Promise<void>;
  up(options?: { button?: 'left' | 'right' | 'middle' }): Promise<void>;
}

export interface Keyboard {
  press(key: string, options?: { delay?: number }): Promise<void>;
  type(text: string, options?: { delay?: number }): Promise<void>;
  insertText(text: string): Promise<void>;
}

export interface ConsoleMessage {
  type(): string;
  text(): string;
}

export interface Page {
  readonly keyboard: Keyboard;
  readonly mouse: Mouse;
  goto(url: string, options?: { waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit'; timeout?: number }): Promise<unknown>;
  waitForSelector(selector: string, options?: { state?: WaitState; timeout?: number }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  waitForFunction<R>(fn: (() => R) | string, arg?: undefined, options?: { timeout?: number; polling?: number | 'raf' }): Promise<unknown>;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  screenshot(options?: { path?: string; fullPage?: boolean; timeout?: number; clip?: BoundingBox }): Promise<Buffer>;
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
  /**
   * A JavaScript expression evaluated in the page (its value, awaited if a promise). Browser-side code is passed as
   * text: this project type-checks without the DOM lib, and tsx's keepNames would add `__name()` calls to functions
   * that the page does not define.
   */
  evaluate<R>(expression: string): Promise<R>;
  bringToFront(): Promise<void>;
  setDefaultTimeout(ms: number): void;
  on(event: 'console', listener: (message: ConsoleMessage) => void): Page;
  on(event: 'pageerror', listener: (error: Error) => void): Page;
  on(event: 'crash' | 'close', listener: () => void): Page;
  isClosed(): boolean;
}

export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface Browser {
  newContext(options?: { viewport?: { width: number; height: number } | null; deviceScaleFactor?: number }): Promise<BrowserContext>;
  close(): Promise<void>;
  version(): string;
}

export interface LaunchOptions {
  executablePath?: string;
  headless?: boolean;
  args?: string[];
  timeout?: number;
  env?: Record<string, string | undefined>;
  /** Playwright's own default: false, i.e. it passes --no-sandbox (needed as root). */
  chromiumSandbox?: boolean;
}

export interface BrowserType {
  launch(options?: LaunchOptions): Promise<Browser>;
}

export interface PlaywrightCore {
  chromium: BrowserType;
}

/** Loads playwright-core from `<toolsDir>/node_modules`, with a clear error when setup has not run. */
export function loadPlaywright(toolsDir: string): PlaywrightCore {
  const requireFromTools = createRequire(path.join(toolsDir, 'package.json'));
  try {
    return requireFromTools('playwright-core') as PlaywrightCore;
  } catch (err) {
    throw new Error(
      `playwright-core is not installed in ${toolsDir}: run \`bash scripts/e2e/setup.sh\` first ` +
        `(${err instanceof Error ? err.message : String(err)})`,
    );
  }
}
