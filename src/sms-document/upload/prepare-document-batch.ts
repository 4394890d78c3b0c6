import { ValidateFunction } from 'ajv';

import { jsonHoldsNulCharacter } from '../../core/validation/nul-character';
import { DocumentBatch, toDocumentBatch } from '../domain/document-batch';
import { UpsertSmsDocumentsDto } from '../dto/upsert-sms-documents.dto';

/**
 * The batch of an upload body that is valid JSON, passes `validate` (the compiled check of
 * UpsertSmsDocumentsDto, which removes unknown properties as the validation pipe does) and holds
 * no NUL character; undefined otherwise, and the caller's usual parsing and validation then say
 * what is wrong.
 */
export function prepareDocumentBatch(body: Uint8Array, validate: ValidateFunction): DocumentBatch | undefined {
  if (jsonHoldsNulCharacter(body)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    // Not UTF-8 JSON: the value stays undefined, which the check refuses.
  }
  if (!validate(value)) return undefined;
  const upload = value as UpsertSmsDocumentsDto;
  return toDocumentBatch(upload.UBID, upload.documents);
}
