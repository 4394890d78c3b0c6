import { createWriteStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { ExportFormat, TrackingState } from '@tracking-db/client';

import { LoaderApiClient } from './loader-api-client';
import { RetryOptions, withRetry } from './retry';

export interface ExportRequest {
  ubid: string;
  format: ExportFormat;
  state?: TrackingState;
  output: string;
}

export interface ExportSummary {
  bytes: number;
  seconds: number;
}

/**
 * Writes a batch's export to `output` as it arrives, in constant memory: the file takes the
 * body at the pace the disk allows, and the service waits for it. Asking for the export is retried
 * like any call; a body cut short is not (the service cannot resume one), and leaves no file
 * behind, so that a partial export is never mistaken for a whole one.
 */
export async function exportToFile(
  client: LoaderApiClient,
  { ubid, format, state, output }: ExportRequest,
  retry: RetryOptions,
): Promise<ExportSummary> {
  const started = Date.now();
  const body = await withRetry(() => client.exportDocuments(ubid, { format, state }), retry);
  try {
    await pipeline(Readable.fromWeb(body), createWriteStream(output));
  } catch (error) {
    await unlink(output).catch(() => undefined);
    throw new Error(`the export of ${ubid} broke off: ${(error as Error).message}`, { cause: error });
  }
  return { bytes: (await stat(output)).size, seconds: (Date.now() - started) / 1000 };
}
