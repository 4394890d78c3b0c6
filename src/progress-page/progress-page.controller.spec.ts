import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { HttpException } from '@nestjs/common';
import { Response } from 'express';

import { PAGE_FOLDER, ProgressPageController } from './progress-page.controller';

// Whether the page is built is the one thing a test cannot arrange with the real dist/ in place.
jest.mock('node:fs', () => ({ ...jest.requireActual<typeof import('node:fs')>('node:fs'), existsSync: jest.fn() }));

const built = jest.mocked(existsSync);

/** Only what the controller calls: it hands the file to Express rather than reading it. */
function fakeResponse() {
  return { setHeader: jest.fn(), sendFile: jest.fn() };
}

/** The status and body Nest would answer with for what `run` throws. */
function answerTo(run: () => void): { status: number; body: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpException) return { status: error.getStatus(), body: error.getResponse() };
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('ProgressPageController', () => {
  const controller = new ProgressPageController();

  beforeEach(() => built.mockReset().mockReturnValue(true));

  it('serves the page from dist/web, where `npm run build` (scripts/build-web.js) writes it', () => {
    expect(PAGE_FOLDER).toBe(resolve(__dirname, '..', '..', 'dist', 'web'));
  });

  it('sends the built page under its own policy, to be revalidated on every load', () => {
    const response = fakeResponse();

    controller.page(response as unknown as Response);

    expect(response.setHeader).toHaveBeenCalledWith(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(built).toHaveBeenCalledWith(join(PAGE_FOLDER, 'index.html'));
    expect(response.sendFile).toHaveBeenCalledWith('index.html', { root: PAGE_FOLDER, headers: { 'Cache-Control': 'no-cache' } });
  });

  it.each(['app.js', 'app.css'])('sends the asset %s from the page folder', (asset) => {
    const response = fakeResponse();

    controller.asset(asset, response as unknown as Response);

    expect(response.sendFile).toHaveBeenCalledWith(asset, { root: PAGE_FOLDER, headers: { 'Cache-Control': 'no-cache' } });
  });

  it.each(['index.html', '../../package.json', 'app.js.map'])('answers 404 for %p, which is not one of the assets', (asset) => {
    const response = fakeResponse();

    expect(answerTo(() => controller.asset(asset, response as unknown as Response))).toEqual({
      status: 404,
      body: { detail: `Cannot GET /page/${asset}` },
    });
    expect(response.sendFile).not.toHaveBeenCalled();
  });

  it('answers 404 with what to run when the page is not built', () => {
    built.mockReturnValue(false);
    const response = fakeResponse();

    expect(answerTo(() => controller.page(response as unknown as Response))).toEqual({
      status: 404,
      body: { detail: `The progress page is not built (no ${join(PAGE_FOLDER, 'index.html')}): run \`npm run build\`` },
    });
    expect(answerTo(() => controller.asset('app.js', response as unknown as Response))).toEqual({
      status: 404,
      body: { detail: `The progress page is not built (no ${join(PAGE_FOLDER, 'app.js')}): run \`npm run build\`` },
    });
    expect(response.sendFile).not.toHaveBeenCalled();
  });
});
