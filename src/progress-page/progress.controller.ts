import { Controller, Get, Header, HttpStatus, Param, Query } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiTrackingResource, BAD_UBID, fieldError } from '../core/openapi/api-error-responses';
import { EXAMPLE_UBID } from '../core/validation/decorators';
import { UbidPathDto } from '../core/validation/path-params.dto';
import { ListTransferProgressQueryDto } from './dto/list-transfer-progress.query.dto';
import { EXAMPLE_PROGRESS, TransferProgressDto, TransferProgressPageDto } from './dto/transfer-progress.dto';
import { ProgressService } from './progress.service';

/**
 * Express gives every JSON answer an ETag and answers a matching If-None-Match with 304, without
 * a body; `no-cache` makes browsers and proxies ask again each time rather than reuse an answer.
 */
const REVALIDATE = 'private, no-cache';

const ETAG = { ETag: { description: 'Send it back as If-None-Match: the answer is 304 while nothing has changed.', schema: { type: 'string', example: 'W/"1a3-3Jf0x2cYpDuzy0U1Z4S1v9Ck9xI"' } } };
const CONDITIONAL = ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of the last answer: 304 if it still holds.' });
const NOT_MODIFIED = ApiResponse({ status: HttpStatus.NOT_MODIFIED, description: 'Nothing has changed since the answer whose ETag was sent as If-None-Match; no body.' });
const FRESHNESS =
  'A summary is counted at most once per batch in a short window and shared by all who ask in it: at least 1 s, or 20 times as long as counting took (2.4 s for 400,000 documents), so it can be that old. For exact figures use `GET /tracking/sms_documents/{ubid}/summary`.';

/** The progress page's data: transfers with their summaries, for polling with conditional requests. */
@ApiTags('Progress')
@ApiTrackingResource()
@Controller('tracking/progress/transfers')
export class ProgressController {
  constructor(private readonly progress: ProgressService) {}

  @Get()
  @Header('Cache-Control', REVALIDATE)
  @ApiOperation({ summary: 'List transfers with their progress', description: `Newest first, a page at a time, each transfer with its documents' summary. ${FRESHNESS}` })
  @CONDITIONAL
  @ApiOkResponse({ type: TransferProgressPageDto, description: 'One page.', example: { total: 1, items: [EXAMPLE_PROGRESS] }, headers: ETAG })
  @NOT_MODIFIED
  @ApiErrorResponses({ 422: { example: fieldError(['query', 'limit'], 'limit must not be greater than 100', 'max') } })
  listTransferProgress(@Query() query: ListTransferProgressQueryDto): Promise<TransferProgressPageDto> {
    return this.progress.list(query);
  }

  @Get(':ubid')
  @Header('Cache-Control', REVALIDATE)
  @ApiOperation({ summary: "A transfer's progress", description: `The transfer and its documents' summary. ${FRESHNESS}` })
  @CONDITIONAL
  @ApiOkResponse({ type: TransferProgressDto, description: 'The transfer and its summary.', example: EXAMPLE_PROGRESS, headers: ETAG })
  @NOT_MODIFIED
  @ApiErrorResponses({ 404: { example: `UBID '${EXAMPLE_UBID}' is not found in table tracking.sms_transfers` }, 422: BAD_UBID })
  getTransferProgress(@Param() { ubid }: UbidPathDto): Promise<TransferProgressDto> {
    return this.progress.get(ubid);
  }
}
