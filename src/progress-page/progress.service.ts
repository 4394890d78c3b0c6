import { Injectable, NotFoundException } from '@nestjs/common';

import { SmsDocumentService } from '../sms-document/sms-document.service';
import { SmsTransferPageQuery } from '../sms-transfer/domain/sms-transfer';
import { SmsTransferService } from '../sms-transfer/sms-transfer.service';
import { TransferProgressDto, TransferProgressPageDto } from './dto/transfer-progress.dto';
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

  async get(ubid: string): Promise<TransferProgressDto> {
    const transfer = await this.transfers.get(ubid);
    return { transfer, summary: await this.summary(ubid) };
  }

  /** A transfer deleted between the page and its summary is left out. */
  async list(query: SmsTransferPageQuery): Promise<TransferProgressPageDto> {
    const page = await this.transfers.list(query);
    const items = await Promise.all(
      page.items.map(async (transfer) => {
        try {
          return { transfer, summary: await this.summary(transfer.UBID) };
        } catch (error) {
          if (error instanceof NotFoundException) return null;
          throw error;
        }
      }),
    );
    return { total: page.total, items: items.filter((item) => item !== null) };
  }

  private summary(ubid: string) {
    return this.summaries.get(ubid, () => this.documents.summarize(ubid));
  }
}
