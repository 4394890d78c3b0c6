import { ChoiceQueryProperty } from '../../core/validation/decorators';
import { StateProperty } from '../../tracking/decorators';
import { TrackingState } from '../../tracking/tracking-state';
import { EXPORT_FORMATS, ExportFormat } from '../export/document-export';

/** `GET /tracking/sms_documents/{ubid}/export?state=&format=` */
export class ExportSmsDocumentsQueryDto {
  @StateProperty({ description: 'Only documents in this state.', required: false })
  state?: TrackingState;

  @ChoiceQueryProperty({
    description: 'NDJSON (one JSON document a line) or CSV (a header row, then one record a document, RFC 4180).',
    choices: EXPORT_FORMATS,
    enumName: 'ExportFormat',
    default: 'ndjson',
  })
  format: ExportFormat = 'ndjson';
}
