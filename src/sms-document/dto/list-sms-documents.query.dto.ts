import { IntegerQueryProperty } from '../../core/validation/decorators';
import { StateProperty, UniqueIdProperty } from '../../tracking/decorators';
import { TrackingState } from '../../tracking/tracking-state';
import { MAX_DOCUMENTS_PER_REQUEST } from './upsert-sms-documents.dto';

export const DEFAULT_DOCUMENTS_PAGE_SIZE = 1000;

/** `GET /tracking/sms_documents/{ubid}/documents?state=&limit=&after=`: keyset pagination on uniqueId. */
export class ListSmsDocumentsQueryDto {
  @StateProperty({ description: 'Only documents in this state.', required: false })
  state?: TrackingState;

  @IntegerQueryProperty({
    description: 'Documents per page.',
    minimum: 1,
    maximum: MAX_DOCUMENTS_PER_REQUEST,
    default: DEFAULT_DOCUMENTS_PAGE_SIZE,
    example: DEFAULT_DOCUMENTS_PAGE_SIZE,
  })
  limit: number = DEFAULT_DOCUMENTS_PAGE_SIZE;

  @UniqueIdProperty({
    description: 'Start after this uniqueId (exclusive): the `next` of the previous page. Omit it for the first page.',
    required: false,
  })
  after?: string;
}
