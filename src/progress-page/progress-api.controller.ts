import { Controller, Get, Header, Param, Query } from '@nestjs/common';

import { UbidPathDto } from '../tracking/path-params.dto';
import { ListTransferProgressQueryDto } from './dto/list-transfer-progress.query.dto';
import { TransferProgressDto, TransferProgressPageDto } from './dto/transfer-progress.dto';
import { ProgressService } from './progress.service';
import { ApiGetTransferProgress, ApiListTransferProgress, ApiProgress } from './progress-api.docs';

/**
 * Express gives every JSON answer an ETag and answers a matching If-None-Match with 304, without
 * a body; `no-cache` makes browsers and proxies ask again each time rather than reuse an answer.
 */
const REVALIDATE = 'private, no-cache';

/**
 * The progress page's data: transfers with their summaries, for polling with conditional requests.
 * The documentation is in progress-api.docs.ts; method names are the operationIds.
 */
@ApiProgress()
@Controller('tracking/progress/transfers')
export class ProgressApiController {
  constructor(private readonly progress: ProgressService) {}

  @Get()
  @Header('Cache-Control', REVALIDATE)
  @ApiListTransferProgress()
  listTransferProgress(@Query() query: ListTransferProgressQueryDto): Promise<TransferProgressPageDto> {
    return this.progress.list(query);
  }

  @Get(':ubid')
  @Header('Cache-Control', REVALIDATE)
  @ApiGetTransferProgress()
  getTransferProgress(@Param() { ubid }: UbidPathDto): Promise<TransferProgressDto> {
    return this.progress.get(ubid);
  }
}
