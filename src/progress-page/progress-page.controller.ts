import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Response } from 'express';

import { PROJECT_ROOT } from '../core/project-root';

/** Where `npm run build` (scripts/build-web.js) puts the page built from web/. */
export const PAGE_FOLDER = join(PROJECT_ROOT, 'dist', 'web');
/** The page's script and style sheet are served under this path; nothing else is. */
export const PAGE_ASSETS_PATH = 'page';
const ASSETS = new Set(['app.js', 'app.css']);

/**
 * Stricter than the API's helmet policy, for the page alone: nothing but its own script, style
 * sheet and API calls, not even inline styles (the bars are sized through the CSSOM, which CSP
 * allows), no forms sent anywhere, and no framing.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The progress page at `/`, and its assets, without an API key: they hold no data. The page then
 * reads everything from the API, with the key the viewer gives it. Each answer is revalidated
 * (ETag, Last-Modified), so a new build is picked up on the next load.
 */
@ApiExcludeController()
@Controller()
export class ProgressPageController {
  @Get()
  page(@Res() response: Response): void {
    response.setHeader('Content-Security-Policy', PAGE_CONTENT_SECURITY_POLICY);
    sendBuilt(response, 'index.html');
  }

  @Get(`${PAGE_ASSETS_PATH}/:asset`)
  asset(@Param('asset') asset: string, @Res() response: Response): void {
    if (!ASSETS.has(asset)) throw new NotFoundException({ detail: `Cannot GET /${PAGE_ASSETS_PATH}/${asset}` });
    sendBuilt(response, asset);
  }
}

function sendBuilt(response: Response, file: string): void {
  const path = join(PAGE_FOLDER, file);
  if (!existsSync(path)) throw new NotFoundException({ detail: `The progress page is not built (no ${path}): run \`npm run build\`` });
  // Relative to `root`: `send` refuses a path with a dot-folder in it (`dotfiles: 'ignore'`) and checks
  // only what follows `root`, so the page is served from an install under `~/.local/…` too.
  response.sendFile(file, { root: PAGE_FOLDER, headers: { 'Cache-Control': 'no-cache' } });
}
