import { Body, Controller, Delete, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import { Response } from 'express';

import { UbidPathDto, UbidStatePathDto } from '../tracking/path-params.dto';
import { SmsTransfer } from './domain/sms-transfer';
import { CreateSmsTransferDto } from './dto/create-sms-transfer.dto';
import { ListSmsTransfersQueryDto } from './dto/list-sms-transfers.query.dto';
import { PurgeResultDto, PurgeSmsTransfersQueryDto } from './dto/purge-sms-transfers.dto';
import { SetFallbackCountDto } from './dto/set-fallback-count.dto';
import {
  ApiComputeFallback,
  ApiCreateTransfer,
  ApiDeleteTransfer,
  ApiGetTransfer,
  ApiListTransfers,
  ApiPurgeTransfers,
  ApiSetFallbackCount,
  ApiSmsTransfers,
  ApiUpdateTransferState,
} from './sms-transfer.docs';
import { SmsTransferService } from './sms-transfer.service';

/** HTTP in, HTTP out: the rules live in SmsTransferService, the documentation in sms-transfer.docs.ts. Method names are the operationIds. */
@ApiSmsTransfers()
@Controller('tracking/sms_transfers')
export class SmsTransferController {
  constructor(private readonly transfers: SmsTransferService) {}

  @Post()
  @ApiCreateTransfer()
  createTransfer(@Body() transfer: CreateSmsTransferDto): Promise<SmsTransfer> {
    return this.transfers.create(transfer);
  }

  @Get()
  @ApiListTransfers()
  async listTransfers(@Query() query: ListSmsTransfersQueryDto, @Res({ passthrough: true }) response: Response): Promise<SmsTransfer[]> {
    const page = await this.transfers.list(query);
    response.setHeader('X-Total-Count', page.total);
    return page.items;
  }

  @Get(':ubid')
  @ApiGetTransfer()
  getTransfer(@Param() { ubid }: UbidPathDto): Promise<SmsTransfer> {
    return this.transfers.get(ubid);
  }

  @Post(':ubid/fallback')
  @ApiComputeFallback()
  computeFallback(@Param() { ubid }: UbidPathDto): Promise<SmsTransfer> {
    return this.transfers.computeFallback(ubid);
  }

  // Registered before `:ubid/:state`, which would otherwise take PUT …/fallback and refuse the state.
  @Put(':ubid/fallback')
  @ApiSetFallbackCount()
  setFallbackCount(@Param() { ubid }: UbidPathDto, @Body() { fallbackCount }: SetFallbackCountDto): Promise<SmsTransfer> {
    return this.transfers.setFallbackCount(ubid, fallbackCount);
  }

  @Put(':ubid/:state')
  @ApiUpdateTransferState()
  updateTransferState(@Param() { ubid, state }: UbidStatePathDto): Promise<SmsTransfer> {
    return this.transfers.updateState(ubid, state);
  }

  @Delete()
  @ApiPurgeTransfers()
  purgeTransfers(@Query() { before, state }: PurgeSmsTransfersQueryDto): Promise<PurgeResultDto> {
    return this.transfers.purge(new Date(before), state);
  }

  @Delete(':ubid')
  @ApiDeleteTransfer()
  deleteTransfer(@Param() { ubid }: UbidPathDto): Promise<void> {
    return this.transfers.delete(ubid);
  }
}
