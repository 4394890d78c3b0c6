import { referenceDocument } from '../../src/loader/document-generator';

/** Upload transfers are filled with up to this many distinct documents each. */
export const DOCUMENTS_PER_UPLOAD_TRANSFER = 50_000;

export const uploadBody = (ubid: string, documents: Buffer) =>
  Buffer.concat([Buffer.from(`{"UBID":${JSON.stringify(ubid)},"documents":`), documents, Buffer.from('}')]);

/** The JSON array of the reference documents `from` to `from + count - 1`. */
export const documentsJson = (from: number, count: number) =>
  Buffer.from(JSON.stringify(Array.from({ length: count }, (_, offset) => referenceDocument(from + offset))));

/**
 * Upload bodies, each a sub-batch of documents that no earlier upload sent. The document arrays
 * are serialized before the clock starts and shared by all upload transfers, so that making a
 * body costs the client one copy and never holds the uploads back.
 */
export class UploadBodies {
  private readonly chunks: Buffer[];
  private next = 0;

  constructor(
    private readonly ubids: string[],
    readonly subBatch: number,
  ) {
    const chunks = Math.floor(DOCUMENTS_PER_UPLOAD_TRANSFER / subBatch);
    this.chunks = Array.from({ length: chunks }, (_, chunk) => documentsJson(chunk * subBatch, subBatch));
  }

  /** How many uploads re-sent documents because the run outlasted the fresh ones. */
  get resent(): number {
    return Math.max(0, this.next - this.ubids.length * this.chunks.length);
  }

  take(): Buffer {
    const index = this.next++ % (this.ubids.length * this.chunks.length);
    return uploadBody(this.ubids[Math.floor(index / this.chunks.length)], this.chunks[index % this.chunks.length]);
  }
}

export const transferBody = (ubid: string, documents: number) =>
  JSON.stringify({ UBID: ubid, fileName: `${ubid}.json`, origName: 'load-benchmark.csv', documents, SMScount: documents * 2 });
