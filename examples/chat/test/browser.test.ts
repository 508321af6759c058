// End to end in a real browser: Debian's headless Chromium (/usr/bin/chromium, package
// `chromium`) driven by playwright-core. `npx playwright install` is not used: its download
// is not available everywhere this suite runs.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reports, startTestChat, type TestChat } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

describe('the chat page in headless Chromium', () => {
  let chat: TestChat;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)`);
    chat = await startTestChat();
    // A fresh profile each run (playwright passes it to Chromium as --user-data-dir).
    profile = mkdtempSync(join(tmpdir(), 'corral-chat-e2e-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.stop();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  /** Clicks as a user would, in the window in front (a background tab does not render, so a click waits on it). */
  async function click(page: Page, selector: string): Promise<void> {
    await page.bringToFront();
    await page.click(selector);
  }

  async function signIn(name: string, room = 'lobby'): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(chat.base);
    await page.fill('#name', name);
    await page.fill('#room', room);
    await click(page, '#join');
    await page.locator('#status', { hasText: `${name} in #${room}` }).waitFor();
    return page;
  }

  const line = (page: Page, cls: string, text: string) =>
    page.locator(`#messages li.${cls}`, { hasText: text });

  it('two pages chat, a direct message reaches only its recipient, and a room crash is survived', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    const carol = await signIn('carol');
    await alice.locator('#members li', { hasText: 'carol' }).waitFor();
    expect(await alice.locator('#members li').allTextContents()).toEqual(['alice (you)', 'bob', 'carol']);

    // Chat: a line typed on one page appears on the others.
    await alice.fill('#text', 'hello from alice');
    await click(alice, '#send');
    await line(bob, 'message', 'hello from alice').waitFor();
    await line(carol, 'message', 'hello from alice').waitFor();

    // A direct message: to bob's connection pid, found by name in the registry.
    await click(alice, '#members li:has-text("bob")'); // fills the DM's "to"
    await alice.fill('#dm-text', 'psst, bob');
    await click(alice, '#dm-send');
    await line(bob, 'dm', 'alice → you: psst, bob').waitFor();
    await line(alice, 'dm', 'you → bob: psst, bob').waitFor();
    await alice.fill('#text', 'after the dm');
    await click(alice, '#send');
    await line(carol, 'message', 'after the dm').waitFor();
    expect(await carol.locator('#messages li.dm').count()).toBe(0);

    // The crash button: the room process dies, its supervisor restarts it, every page rejoins.
    await click(bob, '#crash');
    for (const page of [alice, bob, carol]) {
      await line(
        page,
        'system',
        'went down (crash: Error: room lobby crashed on purpose (asked by bob))',
      ).waitFor();
      await line(page, 'system', 'rejoined #lobby (restarted 1 time(s))').waitFor();
      await page.locator('#restarts', { hasText: '1' }).waitFor();
    }
    await carol.fill('#text', 'still here');
    await click(carol, '#send');
    await line(alice, 'message', 'still here').waitFor();
    await line(bob, 'message', 'still here').waitFor();
    await alice.locator('#members li', { hasText: 'carol' }).waitFor();

    expect(reports(chat.records, 'crash_report')).toHaveLength(1);
    expect(reports(chat.records, 'supervisor_report', 'child_terminated').map((r) => r.supervisor)).toEqual([
      'chat_rooms',
    ]);
  });

  it('shows an operator notice on the addressed page only, and refuses a taken name on the sign-in form', async () => {
    const dave = await signIn('dave', 'garden');
    const erin = await signIn('erin', 'garden');
    const res = await fetch(`${chat.base}admin/notice?user=dave`, {
      method: 'POST',
      body: 'maintenance at noon',
    });
    expect(res.status).toBe(202);
    await line(dave, 'notice', 'maintenance at noon').waitFor();
    await dave.fill('#text', 'noted');
    await click(dave, '#send');
    await line(erin, 'message', 'noted').waitFor();
    expect(await erin.locator('#messages li.notice').count()).toBe(0);

    const impostor = await browser.newPage();
    impostor.setDefaultTimeout(10_000);
    await impostor.goto(chat.base);
    await impostor.fill('#name', 'dave');
    await click(impostor, '#join');
    await impostor.locator('#signin-error', { hasText: 'the name dave is taken' }).waitFor();
    expect(await impostor.locator('#chat').isHidden()).toBe(true);
  });
});
