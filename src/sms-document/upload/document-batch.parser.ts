import { ArgumentMetadata } from '@nestjs/common';

import { RequestValidationException } from '../../core/errors/request-validation.exception';
import { parseJsonBody } from '../../core/http/body-parsing';
import { jsonHoldsNulCharacter } from '../../core/validation/nul-character';
import { RequestValidationPipe } from '../../core/validation/request-validation.pipe';
import { DocumentBatch, toDocumentBatch } from '../domain/document-batch';
import { SmsDocumentInputDto, UpsertSmsDocumentsDto } from '../dto/upsert-sms-documents.dto';

const UPLOAD_BODY: ArgumentMetadata = { type: 'body', metatype: UpsertSmsDocumentsDto };

/**
 * Makes the DocumentBatch of an upload's body, or throws the error the body gets on every route
 * (the JSON parser's 422 or 4xx, the validation pipe's 422). One per thread, on the event loop
 * and in each upload worker: it holds the DTO's compiled check, compiled once.
 */
export class DocumentBatchParser {
  private readonly validation = new RequestValidationPipe();
  private readonly passes = this.validation.compiledCheckFor(UpsertSmsDocumentsDto)!;

  /**
   * The batch of a body the raw lane left as bytes. Parsed once: a valid body, the common case,
   * is checked by the compiled check and a scan of its bytes for NUL, and is never walked value
   * by value; any other goes, as parsed, to the validation pipe, which words the 422.
   */
  async fromJson(json: Uint8Array): Promise<DocumentBatch> {
    const body = await parseJsonBody(json);
    if (!jsonHoldsNulCharacter(json) && this.passes(body)) return batchOf(body as UpsertSmsDocumentsDto);
    return this.fromBody(body);
  }

  /** The batch of a body the JSON parser parsed (one the raw lane does not take), checked as every body is. */
  async fromBody(body: unknown): Promise<DocumentBatch> {
    return batchOf((await this.validation.transform(body, UPLOAD_BODY)) as UpsertSmsDocumentsDto);
  }
}

function batchOf(upload: UpsertSmsDocumentsDto): DocumentBatch {
  requireMessageIdPairs(upload.documents);
  return toDocumentBatch(upload.UBID, upload.documents);
}

/**
 * A document names its message by both `gateway` and `messageId`, or by neither: one alone is a
 * 422 naming the document and the field missing. A rule across two fields, which the DTO's
 * per-field rules cannot say; checked here, after them, on either thread.
 */
function requireMessageIdPairs(documents: SmsDocumentInputDto[]): void {
  for (let index = 0; index < documents.length; index++) {
    const { gateway, messageId } = documents[index];
    if ((gateway == null) === (messageId == null)) continue;
    const [missing, given] = gateway == null ? ['gateway', 'messageId'] : ['messageId', 'gateway'];
    throw new RequestValidationException([
      { loc: ['body', 'documents', index, missing], msg: `${missing} must be given with ${given}`, type: 'givenTogether' },
    ]);
  }
}
