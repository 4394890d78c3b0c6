import { Injectable } from '@nestjs/common';

import { SmsDocumentService } from '../sms-document/sms-document.service';
import { SmsTransferPageQuery } from '../sms-transfer/domain/sms-transfer';
import { transferNotFound } from '../sms-transfer/sms-transfer.errors';
import { SmsTransferService } from '../sms-transfer/sms-transfer.service';
import { TransferProgress, TransferProgressPage } from './domain/transfer-progress';
import { SummaryCache } from './summary-cache';

/**
 * Transfers with their summaries, for the progress page. The transfers are read as the API reads
 * them (a key lookup, an indexed page); the summaries, which count a batch's documents, come from
 * the SummaryCache, so that many open pages cost the database one count per batch and window.
 */
@Injectable()
export class ProgressService {
  constructor(
    private readonly transfers: SmsTransferService,
    private readonly documents: SmsDocumentService,
    private readonly summaries: SummaryCache,
  ) {}

  /** A transfer deleted between its lookup and its summary is not found, as it would be a moment later. */
  async get(ubid: string): Promise<TransferProgress> {
    const transfer = await this.transfers.get(ubid);
    const summary = await this.summary(ubid);
    if (!summary) throw transferNotFound(ubid);
    return { transfer, summary };
  }

  /** A transfer deleted between the page and its summary is left out. */
  async list(query: SmsTransferPageQuery): Promise<TransferProgressPage> {
    const page = await this.transfers.list(query);
    const items = await Promise.all(
      page.items.map(async (transfer) => {
        const summary = await this.summary(transfer.UBID);
        return summary && { transfer, summary };
      }),
    );
    return { total: page.total, items: items.filter((item) => item !== null) };
  }

  private summary(ubid: string) {
    return this.summaries.get(ubid, () => this.documents.findSummary(ubid));
  }
}
