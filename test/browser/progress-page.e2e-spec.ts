import { join } from 'node:path';

import { Browser, BrowserContext, Page } from 'playwright-core';

import { PROJECT_ROOT } from '../../src/core/project-root';
import { describeInBrowser, launchChromium } from '../helpers/chromium';
import { subBatch } from '../helpers/documents';
import { loadTestData } from '../helpers/load-test-data';
import { startTestServer, TestServer } from '../helpers/test-app';

interface Transfer {
  UBID: string;
  fileName: string;
  origName: string;
  documents: number;
  SMScount?: number;
}
interface Batch extends Transfer {
  state?: 'SENT' | 'DONE';
  uploaded: number;
  sent: number;
  done: number;
}
interface TestData {
  apiKey: string;
  /** A key of the `read` scope, as the page is meant to be given. */
  readKey: string;
  live: { transfer: Transfer; uploaded: number; sent: number; done: number };
  keyed: Transfer;
  timeZone: string;
  screenshot: Batch[];
}

const { apiKey, readKey, live, keyed, timeZone, screenshot } = loadTestData<TestData>(__filename);

/**
 * `UPDATE_SCREENSHOTS=1` writes the pictures into docs/images, where the README and
 * docs/progress-page.md show them; otherwise they go to the test server's temporary folder.
 */
const screenshotFolder = (server: TestServer) => (process.env.UPDATE_SCREENSHOTS ? join(PROJECT_ROOT, 'docs', 'images') : server.folder);

/** The API as a sender and a gateway use it, beside the page. */
function apiClient(server: TestServer, key?: string) {
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}/tracking/${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const ids = (from: number, to: number) =>
    subBatch('x', 'd', to)
      .documents.slice(from, to)
      .map(({ uniqueId }) => uniqueId);
  return {
    send,
    /** Registers the transfer and uploads its first `uploaded` documents, numbered d000000000 on. */
    async createBatch({ UBID, fileName, origName, documents, SMScount }: Transfer, uploaded: number) {
      await send('POST', 'sms_transfers', { UBID, fileName, origName, documents, SMScount: SMScount ?? documents });
      for (let start = 0; start < uploaded; start += 5000) {
        const batch = subBatch(UBID, 'd', Math.min(uploaded, start + 5000));
        await send('POST', 'sms_documents', { UBID, documents: batch.documents.slice(start) });
      }
    },
    /** The first `count` documents reached `state`. */
    async receipts(UBID: string, state: 'SENT' | 'DONE', count: number) {
      for (let start = 0; start < count; start += 5000) {
        await send('POST', `sms_documents/${UBID}/receipts`, { state, uniqueIds: ids(start, Math.min(count, start + 5000)) });
      }
    },
  };
}

/** Everything the page does that a test must not let pass: console errors (CSP refusals among them), script errors, requests elsewhere. */
function watch(page: Page, origin: string) {
  const problems: string[] = [];
  const requests: { url: string; headers: Record<string, string>; status?: number }[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    requests.push({ url: request.url(), headers: request.headers() });
    if (!request.url().startsWith(`${origin}/`)) problems.push(`request off the service: ${request.url()}`);
  });
  page.on('response', (response) => {
    const entry = requests.find((request) => request.url === response.url() && request.status === undefined);
    if (entry) entry.status = response.status();
  });
  return { problems, requests };
}

/** The hours and minutes of an instant in a time zone, as a 24-hour clock shows them. */
function clockIn(zone: string, iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

describeInBrowser('progress page in Chromium (e2e)', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describe('without API keys', () => {
    let server: TestServer;
    let context: BrowserContext;

    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(async () => {
      await context?.close();
      await server.close();
    });

    it('follows a batch from registration to its receipts without a reload, on a 375 px screen in the viewer’s time zone', async () => {
      // Reduced motion: the bar's segments then take their width at once, without a transition.
      context = await browser.newContext({
        viewport: { width: 375, height: 800 },
        timezoneId: timeZone,
        locale: 'en-GB',
        reducedMotion: 'reduce',
      });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      const { problems, requests } = watch(page, server.url);
      const api = apiClient(server);
      const { transfer, uploaded, sent, done } = live;
      const progress = page.locator('section', { has: page.getByRole('heading', { name: 'Progress' }) });
      const count = (state: string) => progress.locator(`[data-count="${state}"]`);
      const figure = (term: string) => page.locator('.figures div', { has: page.locator('dt', { hasText: term }) }).locator('dd');

      await page.goto(server.url);
      await page.getByText('No batches.').waitFor();
      await page.evaluate('window.notReloaded = true');

      // Registered and filled through the API: the open list shows it by itself.
      await api.createBatch(transfer, uploaded);
      const link = page.getByRole('link', { name: transfer.origName });
      await link.waitFor();
      await page.locator('.card dd', { hasText: `${uploaded} of ${transfer.documents}` }).waitFor();

      // Opened with the keyboard: the heading takes the focus.
      await link.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: transfer.origName }).waitFor();
      expect(await page.evaluate('document.activeElement.tagName + ":" + document.activeElement.textContent')).toBe(
        `H1:${transfer.origName}`,
      );
      await count('INIT').filter({ hasText: /^300$/ }).waitFor();
      expect(await figure('Documents uploaded').textContent()).toBe(`${uploaded} of ${transfer.documents} declared`);
      expect(await count('missing').textContent()).toBe(String(transfer.documents - uploaded));

      // Receipts arrive: the bar and the figures follow.
      await api.receipts(transfer.UBID, 'SENT', sent);
      await api.receipts(transfer.UBID, 'DONE', done);
      await count('DONE').filter({ hasText: /^100$/ }).waitFor();
      expect(await count('SENT').textContent()).toBe(String(sent - done));
      expect(await count('INIT').textContent()).toBe(String(uploaded - sent));
      await page.getByRole('img', { name: '25 % DONE, 25 % SENT, 25 % INIT of 400 documents' }).waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'delivered' }).textContent()).toBe(
        '25 % delivered, 25 % sent, 25 % waiting.',
      );
      const [segment, bar] = await Promise.all([progress.locator('.segment.done').boundingBox(), progress.locator('.bar').boundingBox()]);
      expect(segment!.width / bar!.width).toBeCloseTo(0.25, 1);
      expect(await page.evaluate('window.notReloaded')).toBe(true);
      await page.screenshot({ path: join(screenshotFolder(server), 'progress-page-375.png') });

      // Times in the viewer's zone, the instant itself kept in the markup.
      const summary = (await api.send('GET', `sms_documents/${transfer.UBID}/summary`)) as { lastChange: string };
      const lastChange = figure('Last change').locator('time');
      expect(await lastChange.getAttribute('datetime')).toBe(summary.lastChange);
      expect(await lastChange.textContent()).toContain(clockIn(timeZone, summary.lastChange));

      // Unchanged figures are not sent again: the polls that follow are answered 304.
      const polls = () => requests.filter(({ url }) => url.includes('/tracking/progress/'));
      const before = polls().length;
      await page.waitForResponse((response) => response.url().includes('/tracking/progress/') && response.status() === 304);
      expect(polls().length).toBeGreaterThan(before);

      // The documents by state, a keyset page at a time, and one document's data.
      await page.getByLabel('Show documents in').selectOption('DONE');
      await page.getByText('50 documents in state DONE shown.').waitFor();
      await page.getByRole('button', { name: 'More documents' }).click();
      await page.getByText('100 documents in state DONE shown, all of them.').waitFor();
      expect(await page.locator('tbody tr').count()).toBe(done);
      expect(await page.getByRole('button', { name: 'More documents' }).isHidden()).toBe(true);
      await page.getByRole('button', { name: 'd000000099' }).click();
      await page.getByRole('heading', { name: 'Document d000000099' }).waitFor();
      expect(JSON.parse((await page.locator('pre.data').textContent())!)).toEqual(subBatch(transfer.UBID, 'd', 100).documents[99].data);

      // The fallback, computed on request.
      await page.getByRole('button', { name: 'Compute the fallback count' }).click();
      await page.getByText(`${uploaded - done} documents are not delivered; stored as the fallback count.`).waitFor();
      expect(await figure('Fallback count').textContent()).toBe(String(uploaded - done));

      // Nothing is wider than the screen, and nothing was refused or sent elsewhere.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      expect(problems).toEqual([]);
    }, 120_000);

    it('shows batches at every stage, paged and filtered by state (and takes the README’s screenshot)', async () => {
      const api = apiClient(server);
      for (const batch of screenshot) {
        await api.createBatch(batch, batch.uploaded);
        if (batch.sent) await api.receipts(batch.UBID, 'SENT', batch.sent);
        if (batch.done) await api.receipts(batch.UBID, 'DONE', batch.done);
        if (batch.state) await api.send('PUT', `sms_transfers/${batch.UBID}/${batch.state}`);
      }
      const page = await (await browser.newContext({ viewport: { width: 1000, height: 900 } })).newPage();
      page.setDefaultTimeout(20_000);
      const { problems } = watch(page, server.url);

      await page.goto(server.url);
      await page.getByText('Batches 1 to 4 of 4.').waitFor();
      // Newest first, equal times in UBID order (the repository spec checks the order): compared here as a set.
      const names = [...screenshot.map(({ origName }) => origName), live.transfer.origName];
      expect((await page.locator('.card h2').allTextContents()).sort()).toEqual([...names].sort());
      await page.getByRole('img', { name: '100 % DONE, 0 % SENT, 0 % INIT of 6,000 documents' }).waitFor();
      await page.screenshot({ path: join(screenshotFolder(server), 'progress-page.png') });

      await page.getByLabel('Show batches in').selectOption('INIT');
      await page.getByText('Batches 1 to 2 of 2 in state INIT.').waitFor();
      expect((await page.locator('.card h2').allTextContents()).sort()).toEqual(['june-newsletter.csv', live.transfer.origName].sort());
      await page.goto(`${server.url}/#/?offset=2`);
      await page.getByText('Batches 3 to 4 of 4.').waitFor();
      const lastPage = await page.locator('.card h2').allTextContents();
      await page.getByRole('link', { name: 'Newer batches' }).click();
      await page.getByText('Batches 1 to 4 of 4.').waitFor();
      expect([...(await page.locator('.card h2').allTextContents()).slice(2)]).toEqual(lastPage);
      expect(problems).toEqual([]);
      await page.context().close();
    }, 120_000);
  });

  describe('with API_KEYS', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer({ API_KEYS: `${apiKey},${readKey}:read` });
      await apiClient(server, apiKey).createBatch(keyed, keyed.documents);
    });
    afterAll(() => server.close());

    it('asks for a key, says when it is refused, keeps it for the tab only and sends it in a header, never in a URL', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      const { requests } = watch(page, server.url);

      await page.goto(server.url);
      await page.getByRole('heading', { name: 'API key needed' }).waitFor();
      const input = page.getByLabel('API key', { exact: true });
      expect(await page.evaluate('document.activeElement.id')).toBe('api-key');
      expect(await input.getAttribute('type')).toBe('password');

      await input.fill(`${apiKey}-wrong`);
      await page.keyboard.press('Enter');
      await page.getByRole('alert').filter({ hasText: 'The service refused that key.' }).waitFor();

      await input.fill(apiKey);
      await page.getByRole('button', { name: 'Show the batches' }).click();
      await page.getByRole('link', { name: keyed.origName }).waitFor();
      expect(await page.evaluate('sessionStorage.getItem("trackingdb.apiKey")')).toBe(apiKey);
      expect(await page.evaluate('localStorage.length + ":" + document.cookie')).toBe('0:');

      // A reload of the tab keeps it; another tab has to ask.
      await page.reload();
      await page.getByRole('link', { name: keyed.origName }).waitFor();
      const other = await context.newPage();
      await other.goto(server.url);
      await other.getByRole('heading', { name: 'API key needed' }).waitFor();

      // Forgotten on request.
      await page.getByRole('button', { name: 'Forget the API key' }).click();
      await page.getByRole('heading', { name: 'API key needed' }).waitFor();
      expect(await page.evaluate('sessionStorage.length')).toBe(0);

      const api = requests.filter(({ url }) => url.includes('/tracking/'));
      expect(api.length).toBeGreaterThan(2);
      expect(requests.filter(({ url }) => url.includes(apiKey))).toEqual([]);
      expect(api.filter(({ headers }) => headers.authorization === `Bearer ${apiKey}`).length).toBeGreaterThan(0);
      await context.close();
    }, 60_000);

    it('works with a read key: the batches, a batch, its documents; computing the fallback count, a write, says it needs a write key', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      const figure = (term: string) => page.locator('.figures div', { has: page.locator('dt', { hasText: term }) }).locator('dd');

      await page.goto(server.url);
      await page.getByLabel('API key', { exact: true }).fill(readKey);
      await page.getByRole('button', { name: 'Show the batches' }).click();
      await page.getByRole('link', { name: keyed.origName }).click();
      await page.getByRole('heading', { level: 1, name: keyed.origName }).waitFor();
      await page.getByText(`${keyed.documents} documents shown, all of them.`).waitFor();
      await page.getByRole('button', { name: 'd000000009' }).click();
      await page.getByRole('heading', { name: 'Document d000000009' }).waitFor();

      await page.getByRole('button', { name: 'Compute the fallback count' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: 'This API key may only read: computing and storing the fallback count needs a key with the write scope.' })
        .waitFor();
      expect(await figure('Fallback count').textContent()).toBe('0');
      // The page goes on: no key prompt, no connection error.
      expect(await page.locator('#connection').textContent()).toBe('');
      await context.close();
    }, 60_000);
  });
});
