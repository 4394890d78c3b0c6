import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { ApiErrorResponses, ApiTrackingResource, BAD_UBID, fieldError } from '../core/openapi/api-error-responses';
import { TrackingState } from '../core/tracking-state';
import { EXAMPLE_UBID } from '../core/validation/decorators';
import { UbidPathDto, UbidStatePathDto } from '../core/validation/path-params.dto';
import { CreateSmsTransferDto } from './dto/create-sms-transfer.dto';
import { SetFallbackCountDto } from './dto/set-fallback-count.dto';
import { ListSmsTransfersQueryDto } from './dto/list-sms-transfers.query.dto';
import { EXAMPLE_TRANSFER, SmsTransferDto } from './dto/sms-transfer.dto';
import { SmsTransfer } from './domain/sms-transfer';
import { SmsTransferService } from './sms-transfer.service';

const NOT_FOUND = { example: `UBID '${EXAMPLE_UBID}' is not found in table tracking.sms_transfers` };

/** A transfer whose undelivered documents went through the fallback channel. */
const WITH_FALLBACKS = { ...EXAMPLE_TRANSFER, state: TrackingState.DONE, fallbackCount: 1250, when: '2024-04-17T10:02:11.000Z' };

/** HTTP in, HTTP out: the rules live in SmsTransferService. Method names are the operationIds. */
@ApiTags('SMS_transfers')
@ApiTrackingResource()
@Controller('tracking/sms_transfers')
export class SmsTransferController {
  constructor(private readonly transfers: SmsTransferService) {}

  @Post()
  @ApiOperation({
    summary: 'Register a batch',
    description: 'Stores a transfer in state INIT. Re-sending an existing UBID replaces its fields and resets state, fallbackCount and when: that is how a failed batch is retried.',
  })
  @ApiBody({
    type: CreateSmsTransferDto,
    examples: {
      batch: {
        summary: 'A batch of 412,343 documents',
        value: { SMScount: 824686, documents: 412343, UBID: EXAMPLE_UBID, fileName: 'batch_2024-04-17_0858.json', origName: 'april-campaign.csv' },
      },
    },
  })
  @ApiCreatedResponse({ type: SmsTransferDto, description: 'The stored transfer, defaults filled in.', example: EXAMPLE_TRANSFER })
  @ApiErrorResponses({
    413: { example: 'Request body is larger than the 16 MiB limit' },
    422: { example: fieldError(['body', 'documents'], 'documents must not be less than 1', 'min') },
  })
  createTransfer(@Body() transfer: CreateSmsTransferDto): Promise<SmsTransfer> {
    return this.transfers.create(transfer);
  }

  @Get()
  @ApiOperation({ summary: 'List transfers', description: 'Newest first, a page at a time; the total is in the X-Total-Count header.' })
  @ApiOkResponse({
    type: [SmsTransferDto],
    description: 'One page of transfers.',
    example: [EXAMPLE_TRANSFER],
    headers: { 'X-Total-Count': { description: 'Transfers matching the filter, on all pages.', schema: { type: 'integer', example: 1 } } },
  })
  @ApiErrorResponses({ 422: { example: fieldError(['query', 'limit'], 'limit must not be greater than 1000', 'max') } })
  async listTransfers(@Query() query: ListSmsTransfersQueryDto, @Res({ passthrough: true }) response: Response): Promise<SmsTransfer[]> {
    const page = await this.transfers.list(query);
    response.setHeader('X-Total-Count', page.total);
    return page.items;
  }

  @Get(':ubid')
  @ApiOperation({ summary: 'Read a transfer' })
  @ApiOkResponse({ type: SmsTransferDto, description: 'The transfer.', example: EXAMPLE_TRANSFER })
  @ApiErrorResponses({ 404: NOT_FOUND, 422: BAD_UBID })
  getTransfer(@Param() { ubid }: UbidPathDto): Promise<SmsTransfer> {
    return this.transfers.get(ubid);
  }

  @Post(':ubid/fallback')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Compute the fallback count from the documents',
    description:
      'Counts the documents of the transfer that are not DONE (they go through the fallback channel), stores the number in `fallbackCount` and answers the transfer. Counted and stored in one statement.',
  })
  @ApiOkResponse({ type: SmsTransferDto, description: 'The transfer with its new fallbackCount.', example: WITH_FALLBACKS })
  @ApiErrorResponses({ 404: NOT_FOUND, 422: BAD_UBID })
  computeFallback(@Param() { ubid }: UbidPathDto): Promise<SmsTransfer> {
    return this.transfers.computeFallback(ubid);
  }

  // Registered before `:ubid/:state`, which would otherwise take PUT …/fallback and refuse the state.
  @Put(':ubid/fallback')
  @ApiOperation({ summary: 'Set the fallback count', description: 'Stores the number of documents sent through the fallback channel, as counted by the sender.' })
  @ApiOkResponse({ type: SmsTransferDto, description: 'The transfer with its new fallbackCount.', example: WITH_FALLBACKS })
  @ApiBody({ type: SetFallbackCountDto, examples: { counted: { summary: 'Counted by the sender', value: { fallbackCount: 1250 } } } })
  @ApiErrorResponses({
    404: NOT_FOUND,
    413: { example: 'Request body is larger than the 16 MiB limit' },
    422: { example: fieldError(['body', 'fallbackCount'], 'fallbackCount must not be less than 0', 'min') },
  })
  setFallbackCount(@Param() { ubid }: UbidPathDto, @Body() { fallbackCount }: SetFallbackCountDto): Promise<SmsTransfer> {
    return this.transfers.setFallbackCount(ubid, fallbackCount);
  }

  @Put(':ubid/:state')
  @ApiOperation({
    summary: 'Set the state of a transfer',
    description:
      'States only move forward (INIT → SENT → DONE); the move sets `when` to now. The same state again is a no-op that answers the transfer unchanged; an earlier state is a 409. Re-registering the transfer (POST) is how it goes back to INIT.',
  })
  @ApiOkResponse({
    type: SmsTransferDto,
    description: 'The updated transfer.',
    example: { ...EXAMPLE_TRANSFER, state: TrackingState.SENT, when: '2024-04-17T09:12:05.000Z' },
  })
  @ApiErrorResponses({
    404: NOT_FOUND,
    409: { example: `Cannot move UBID '${EXAMPLE_UBID}' from 'DONE' back to 'SENT' in table tracking.sms_transfers` },
    422: { example: fieldError(['path', 'state'], 'state must be one of the following values: INIT, SENT, DONE', 'isEnum') },
  })
  updateTransferState(@Param() { ubid, state }: UbidStatePathDto): Promise<SmsTransfer> {
    return this.transfers.updateState(ubid, state);
  }

  @Delete(':ubid')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a transfer and its documents', description: 'The documents go with it (ON DELETE CASCADE).' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrorResponses({ 404: NOT_FOUND, 422: BAD_UBID })
  deleteTransfer(@Param() { ubid }: UbidPathDto): Promise<void> {
    return this.transfers.delete(ubid);
  }
}
