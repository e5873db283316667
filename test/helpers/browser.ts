// Browser tests: Debian's Chromium driven headless by playwright-core, against a freshly
// built client served by a real test server. Wait on page conditions, never on sleeps.

import { mkdtempSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { build } from 'vite'
import * as Y from 'yjs'
import type { Agent } from '../../agents/index.ts'

export const CHROMIUM_PATH = '/usr/bin/chromium'
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

export const ARTIFACTS_DIR = resolve('test-artifacts')

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
}

/** Builds the client into a fresh temp dir (each test file its own: files run in parallel). */
export async function buildClient(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'polyphony-client-'))
  // Vitest sets NODE_ENV=test; the client must be built as in production (service worker on).
  const previous = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({ configFile: resolve('vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } })
  } finally {
    process.env.NODE_ENV = previous
  }
  return outDir
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  return join(ARTIFACTS_DIR, name)
}

export interface AppPage {
  context: BrowserContext
  page: Page
}

/** A fresh browser profile signed in through an invite link (`/#token=...`). */
export async function openApp(browser: Browser, baseUrl: string, token: string, path = '/'): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error('[page error]', error.message))
  await page.goto(`${baseUrl}${path}#token=${encodeURIComponent(token)}`)
  return { context, page }
}

export interface TextExpectation {
  equals?: string
  includes?: string[]
}

/**
 * Runs in the page: the editor text without remote caret labels, or false when it does not
 * meet the expectation. Self-contained because Playwright ships it to the page as source.
 */
function probeEditor(expect: TextExpectation): { text: string } | false {
  const content = document.querySelector('.cm-content')
  const text = content
    ? [...content.querySelectorAll(':scope > .cm-line')]
        .map((line) => {
          const clone = line.cloneNode(true) as HTMLElement
          for (const widget of clone.querySelectorAll('.cm-ySelectionCaret')) widget.remove()
          return (clone.textContent ?? '').replace(/\u2060/g, '')
        })
        .join('\n')
    : ''
  if (expect.equals !== undefined && text !== expect.equals) return false
  return (expect.includes ?? []).every((part) => text.includes(part)) ? { text } : false
}

/** Text of the open CodeMirror editor. */
export async function editorText(page: Page): Promise<string> {
  const probe = await page.evaluate(probeEditor, {})
  return probe ? probe.text : ''
}

/** Waits (polling every animation frame) until the editor text meets the expectation. */
export async function waitForEditorText(page: Page, expect: TextExpectation, timeout = 15_000): Promise<void> {
  try {
    await page.waitForFunction(probeEditor, expect, { polling: 'raf', timeout })
  } catch (error) {
    throw new Error(`editor text never matched ${JSON.stringify(expect)}; last seen: ${JSON.stringify(await editorText(page))}`, { cause: error })
  }
}

/** The connection indicator's state attribute (offline | connecting | syncing | saved | stopped). */
export async function waitForConnection(page: Page, state: string, timeout = 15_000): Promise<void> {
  await page.locator(`.indicator[data-state="${state}"]`).waitFor({ timeout })
}

/**
 * Puts an SDK agent's caret (and selection) into awareness the way y-codemirror.next reads
 * it, so browsers draw the agent's labelled cursor. The SDK publishes presence and status;
 * where exactly an agent is "looking" is the test's choice.
 */
export function showAgentCursor(agent: Agent, doc: string, anchor: number, head = anchor): void {
  const text = agent.text(doc)
  // The objects themselves, not relativePositionToJSON: y-codemirror.next reads the decoded
  // awareness JSON as a RelativePosition and needs the explicit nulls (tname: null) it keeps.
  const position = (index: number) => Y.createRelativePositionFromTypeIndex(text, index)
  agent.sharedSync.provider.awareness.setLocalStateField('cursor', { anchor: position(anchor), head: position(head) })
}

/** The presence entry of a principal in the side panel. */
export function presenceOf(page: Page, principal: string) {
  return page.locator(`.presence [data-principal="${principal}"]`)
}
