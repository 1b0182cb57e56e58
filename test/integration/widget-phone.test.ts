import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ACME_CONFIGURATION } from '../helpers/fake-chat-server.js';
import { launcherOf, openPage, ROOT, useWidgetBrowser } from '../helpers/widget-browser.js';

/**
 * The widget in Chromium on phones and small windows (test/helpers/widget-browser.ts): Chromium
 * emulates a phone with `isMobile`, so a page wider than the phone makes the layout viewport
 * grow past the screen, as on a real phone.
 */

const PHONE_SCREENSHOT = join(ROOT, 'test-artifacts/widget-phone.png');
/** An iPhone SE's viewport in CSS pixels. */
const PHONE = { width: 375, height: 667 };

const { startService, newContext } = useWidgetBrowser();

/** A site's page much wider than a phone, with the widget's tag: the phone shows its top left. */
const WIDE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Wide</title>
<link rel="icon" href="data:,"></head><body><h1>Wide</h1>
<table><tr><td style="min-width:900px">A table as wide as a desktop page</td></tr></table>
<script src="widget.js" async></script></body></html>`;

/** A desktop site's page without a viewport tag: the phone lays it out 980 px wide, zoomed out. */
const DESKTOP_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Desktop</title>
<link rel="icon" href="data:,"></head><body><h1>A desktop page</h1>
<script src="widget.js" async></script></body></html>`;

/** Whether the widget's launcher has the focus (it gets it back when the panel closes). */
const isFocusedLauncher = (page: Page) =>
  page.evaluate<boolean>(
    "document.querySelector('[data-marketo-chat]').shadowRoot.activeElement?.classList.contains('launcher') === true",
  );

/** Whether the element's box lies wholly inside the viewport (the box, to show when not). */
async function boxInViewport(locator: Locator, viewport: { width: number; height: number }) {
  const box = await locator.boundingBox();
  const inside =
    box !== null &&
    box.x >= 0 &&
    box.y >= 0 &&
    box.x + box.width <= viewport.width &&
    box.y + box.height <= viewport.height;
  return { inside, box };
}

/** A phone as Chromium emulates one: its viewport, touch, and a page that may zoom out to fit. */
function newPhoneContext(): Promise<BrowserContext> {
  return newContext({
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
}

/**
 * The element's distance from each edge of what the screen shows (the visual viewport), in
 * screen pixels: a page wider than a phone is zoomed out, and a fixed element that fills the
 * layout viewport then reaches past the screen.
 */
const edgeGaps = (locator: Locator) =>
  locator.evaluate((node) => {
    const box = node.getBoundingClientRect();
    const view = node.ownerDocument.defaultView!.visualViewport!;
    const screen = (cssPx: number) => Math.round(cssPx * view.scale * 10) / 10;
    return {
      left: screen(box.left - view.offsetLeft),
      top: screen(box.top - view.offsetTop),
      right: screen(view.offsetLeft + view.width - box.right),
      bottom: screen(view.offsetTop + view.height - box.bottom),
    };
  });

/** Whether the element lies wholly inside what the screen shows (its gaps, to show when not). */
async function shownWhole(locator: Locator) {
  const gaps = await edgeGaps(locator);
  return { inside: Object.values(gaps).every((gap) => gap >= -0.5), gaps };
}

/** Within half a pixel of `px`. */
const near = (px: number) => expect.closeTo(px, 0);

describe('chat widget on a phone in Chromium', () => {
  it('when a phone (375x667) opens the chat on the demo page with the launcher 32 px from the edges, then the page fits, the panel lies inside what the phone shows and no input is under 16 px (iOS zooms into smaller ones)', async () => {
    const { style } = ACME_CONFIGURATION;
    const { baseUrl } = await startService({
      configuration: {
        // 15 px text: the inputs must still be 16 px on a phone.
        style: { ...style, fontSizePx: 15, launcher: { position: 'bottom-right', paddingPx: 32 } },
      },
    });
    const { page, errors } = await openPage(await newPhoneContext(), `${baseUrl}/demo`);
    // Nothing on the demo page is wider than a phone, so the phone does not zoom out of it.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(PHONE.width);
    await launcherOf(page).waitFor();
    expect(await edgeGaps(launcherOf(page))).toMatchObject({ right: near(32), bottom: near(32) });
    await launcherOf(page).tap();
    const panel = page.getByRole('dialog', { name: 'Acme Assistant' });
    await panel.waitFor();
    expect(await shownWhole(panel)).toEqual({ inside: true, gaps: expect.anything() });

    // The booking form: the name and email inputs.
    await page.getByRole('button', { name: 'Book a demo' }).tap();
    await page.locator('.reply .times').getByRole('button', { name: '10:00' }).tap();
    await page.getByLabel('Name').waitFor();
    const inputs = page.locator('[data-marketo-chat] input');
    expect(await inputs.count()).toBe(2);
    const sizes = await inputs.evaluateAll((nodes) =>
      nodes.map((node) =>
        parseFloat(node.ownerDocument.defaultView!.getComputedStyle(node).fontSize),
      ),
    );
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(16);
    expect(await shownWhole(panel)).toEqual({ inside: true, gaps: expect.anything() });
    await page.getByLabel('Name').fill('Sam Lee');
    await page.getByLabel('Email').fill('sam@acme-customer.example');
    await page.getByRole('button', { name: /^Book .*10:00/ }).tap();
    await page.locator('.meeting').getByText('Meeting booked').waitFor();
    expect(await shownWhole(panel)).toEqual({ inside: true, gaps: expect.anything() });
    mkdirSync(dirname(PHONE_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: PHONE_SCREENSHOT });
    expect(errors).toEqual([]);
  });

  it.each([
    { site: 'the demo page', path: '/demo' },
    { site: 'a page wider than the phone', path: '/wide' },
    { site: 'a desktop page, zoomed out', path: '/desktop' },
  ])(
    'when a phone (375x667) shows $site, then the launcher is 32 px from what it shows, the open panel lies inside it, and Send can be tapped',
    async ({ path }) => {
      const { style } = ACME_CONFIGURATION;
      const { baseUrl } = await startService({
        configuration: {
          style: { ...style, launcher: { position: 'bottom-right', paddingPx: 32 } },
        },
        pages: { '/wide': WIDE_PAGE, '/desktop': DESKTOP_PAGE },
      });
      const { page, errors } = await openPage(await newPhoneContext(), `${baseUrl}${path}`);
      const launcher = launcherOf(page);
      await launcher.waitFor();
      expect(await edgeGaps(launcher)).toMatchObject({ right: near(32), bottom: near(32) });
      await launcher.tap();
      const panel = page.getByRole('dialog', { name: 'Acme Assistant' });
      await panel.waitFor();
      expect(await shownWhole(panel)).toEqual({ inside: true, gaps: expect.anything() });
      // The panel fills the screen: the launcher would cover its answers, so it hides.
      expect(await launcher.isVisible()).toBe(false);

      await page.getByRole('button', { name: 'See pricing' }).tap();
      const email = page.getByLabel('Email');
      await email.tap();
      await email.fill('jane@acme-customer.example');
      expect(await shownWhole(panel)).toEqual({ inside: true, gaps: expect.anything() });
      await page.getByRole('button', { name: 'Send' }).tap();
      await page.getByText('Thanks! The price list is on its way.').waitFor();
      expect(await shownWhole(panel)).toEqual({ inside: true, gaps: expect.anything() });

      await page.getByRole('button', { name: 'Close chat' }).tap();
      expect(await edgeGaps(launcher)).toMatchObject({ right: near(32), bottom: near(32) });
      expect(await isFocusedLauncher(page)).toBe(true);
      expect(errors).toEqual([]);
    },
  );

  it.each([
    { width: 375, height: 667, paddingPx: 200 },
    { width: 700, height: 560, paddingPx: 200 },
    { width: 1280, height: 800, paddingPx: 12 },
  ])(
    'when the viewport is $width x $height and the launcher $paddingPx px from the edges, then the open panel lies inside the viewport',
    async ({ width, height, paddingPx }) => {
      const { style } = ACME_CONFIGURATION;
      const { baseUrl } = await startService({
        configuration: { style: { ...style, launcher: { position: 'bottom-left', paddingPx } } },
      });
      const context = await newContext({ viewport: { width, height } });
      const { page } = await openPage(context, `${baseUrl}/demo`);
      await launcherOf(page).click();
      const panel = page.getByRole('dialog', { name: 'Acme Assistant' });
      await panel.waitFor();
      expect(await boxInViewport(panel, { width, height })).toEqual({
        inside: true,
        box: expect.anything(),
      });
    },
  );
});
