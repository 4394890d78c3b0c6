import { Body, Controller, Get, Param, Post, Put, Query, Res, UseInterceptors } from '@nestjs/common';
import { Response } from 'express';

import { streamResponse } from '../core/http/stream-response';
import { UbidPathDto, UbidStatePathDto } from '../tracking/path-params.dto';
import { DocumentBatch } from './domain/document-batch';
import { SmsDocument, SmsDocumentPage } from './domain/sms-document';
import { ExportSmsDocumentsQueryDto } from './dto/export-sms-documents.query.dto';
import { ListSmsDocumentsQueryDto } from './dto/list-sms-documents.query.dto';
import { ReceiptsResultDto, RecordReceiptsDto } from './dto/record-receipts.dto';
import { SmsDocumentResultDto } from './dto/sms-document-result.dto';
import { SmsDocumentsSummaryDto } from './dto/sms-documents-summary.dto';
import { UbidUniqueIdPathDto } from './dto/unique-id-path.dto';
import { ExportSlots } from './export/export-slots';
import {
  ApiCountDocuments,
  ApiExportDocuments,
  ApiGetDocument,
  ApiGetDocumentsSummary,
  ApiListDocuments,
  ApiRecordReceipts,
  ApiSmsDocuments,
  ApiUpdateDocumentsState,
  ApiUpsertDocuments,
} from './sms-document.docs';
import { SmsDocumentService } from './sms-document.service';
import { found, inserted, updated } from './sms-document.success-messages';
import { DocumentBatchPipe } from './upload/document-batch.pipe';

/**
 * HTTP in, HTTP out: requests in the service's terms, its results as the original's answers. The
 * rules live in SmsDocumentService, the documentation in sms-document.docs.ts. Method names are
 * the operationIds.
 */
@ApiSmsDocuments()
@Controller('tracking/sms_documents')
export class SmsDocumentController {
  constructor(private readonly documents: SmsDocumentService) {}

  @Post()
  @ApiUpsertDocuments()
  async upsertDocuments(@Body(DocumentBatchPipe) batch: DocumentBatch): Promise<SmsDocumentResultDto> {
    return inserted(batch.UBID, await this.documents.upsert(batch));
  }

  @Get(':ubid')
  @ApiCountDocuments()
  async countDocuments(@Param() { ubid }: UbidPathDto): Promise<SmsDocumentResultDto> {
    return found(ubid, await this.documents.count(ubid));
  }

  @Put(':ubid/:state')
  @ApiUpdateDocumentsState()
  async updateDocumentsState(@Param() { ubid, state }: UbidStatePathDto): Promise<SmsDocumentResultDto> {
    return updated(ubid, state, await this.documents.updateState(ubid, state));
  }

  @Get(':ubid/summary')
  @ApiGetDocumentsSummary()
  getDocumentsSummary(@Param() { ubid }: UbidPathDto): Promise<SmsDocumentsSummaryDto> {
    return this.documents.summarize(ubid);
  }

  @Post(':ubid/receipts')
  @ApiRecordReceipts()
  recordReceipts(@Param() { ubid }: UbidPathDto, @Body() { state, uniqueIds }: RecordReceiptsDto): Promise<ReceiptsResultDto> {
    return this.documents.recordReceipts(ubid, state, uniqueIds);
  }

  @Get(':ubid/documents')
  @ApiListDocuments()
  listDocuments(@Param() { ubid }: UbidPathDto, @Query() { state, limit, after }: ListSmsDocumentsQueryDto): Promise<SmsDocumentPage> {
    return this.documents.list(ubid, { state, limit, after });
  }

  @Get(':ubid/documents/:uniqueId')
  @ApiGetDocument()
  getDocument(@Param() { ubid, uniqueId }: UbidUniqueIdPathDto): Promise<SmsDocument> {
    return this.documents.get(ubid, uniqueId);
  }

  @Get(':ubid/export')
  @ApiExportDocuments()
  @UseInterceptors(ExportSlots)
  async exportDocuments(
    @Param() { ubid }: UbidPathDto,
    @Query() { state, format }: ExportSmsDocumentsQueryDto,
    @Res() response: Response,
  ): Promise<void> {
    await streamResponse(response, await this.documents.export(ubid, { state, format }));
  }
}
