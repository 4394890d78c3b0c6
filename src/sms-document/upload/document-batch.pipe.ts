import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import { Request } from 'express';

import { parseJsonBody } from '../../core/http/body-parsing';
import { HttpRoute } from '../../core/http/body-routes';
import { RequestValidationPipe } from '../../core/validation/request-validation.pipe';
import { DocumentBatch, toDocumentBatch } from '../domain/document-batch';
import { UpsertSmsDocumentsDto } from '../dto/upsert-sms-documents.dto';
import { DocumentBatchPreparer } from './document-batch.preparer';

/** The upload route's JSON bodies reach DocumentBatchPipe as bytes (see useJsonBodyParsing). */
export const UPSERT_DOCUMENTS_ROUTE: HttpRoute = { method: 'POST', path: '/tracking/sms_documents' };

/** The request, for DocumentBatchPipe: `@UploadedDocuments(DocumentBatchPipe) batch: DocumentBatch`. */
export const UploadedDocuments = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  context.switchToHttp().getRequest<Request>(),
);

/**
 * An upload's body as a DocumentBatch. A valid body, the common case, is parsed, checked and
 * serialized by DocumentBatchPreparer (off the event loop when it is big). Anything else takes the
 * way of every other body, the JSON parser's and the validation pipe's, so that the 422 says
 * exactly what it says for every route.
 */
@Injectable()
export class DocumentBatchPipe implements PipeTransform<Request, Promise<DocumentBatch>> {
  private readonly validation = new RequestValidationPipe();

  constructor(private readonly preparer: DocumentBatchPreparer) {}

  async transform(req: Request): Promise<DocumentBatch> {
    let body: unknown = req.body;
    if (Buffer.isBuffer(body)) {
      const prepared = await this.preparer.prepare(body);
      if ('batch' in prepared) return prepared.batch;
      body = await parseJsonBody(prepared.refused);
    }
    const upload = (await this.validation.transform(body, { type: 'body', metatype: UpsertSmsDocumentsDto })) as UpsertSmsDocumentsDto;
    return toDocumentBatch(upload.UBID, upload.documents);
  }
}
