import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, Res, UseGuards } from '@nestjs/common';
import { Response } from 'express';

import { FormBodyPipe, FormFields } from '../core/http/form-body.pipe';
import { ApiKeyInUrl, AuthenticatedBySignature } from '../core/http/route-authentication';
import { GatewayReceipt, ReceiptRecorder } from '../tracking/gateway-receipt';
import { ReceiptResultDto } from './dto/receipt-result.dto';
import { GatewayFields } from './gateway-fields';
import { ApiGateways, ApiJasminDlr, ApiJasminDlrForm, ApiKannelDlr, ApiTwilioStatus } from './gateways.docs';
import { JASMIN_ACK, jasminReceipt } from './jasmin-dlr';
import { kannelReceipt } from './kannel-dlr';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { twilioReceipt } from './twilio-status';

/**
 * HTTP in, HTTP out: each route translates its gateway's report into a receipt and answers once
 * ReceiptRecorder has committed it (a gateway that got its answer never sends the report again).
 * The documentation is in gateways.docs.ts; method names are the operationIds.
 */
@ApiGateways()
@Controller('tracking/gateways')
export class GatewaysController {
  constructor(private readonly recorder: ReceiptRecorder) {}

  @Get('jasmin/dlr')
  @ApiKeyInUrl('write')
  @ApiJasminDlr()
  async receiveJasminDlr(@Query() query: GatewayFields, @Res({ passthrough: true }) response: Response): Promise<string> {
    await this.record(jasminReceipt(query));
    return acknowledgeToJasmin(response);
  }

  @Post('jasmin/dlr')
  @HttpCode(HttpStatus.OK)
  @ApiKeyInUrl('write')
  @ApiJasminDlrForm()
  async receiveJasminDlrForm(@Body(FormBodyPipe) form: FormFields, @Res({ passthrough: true }) response: Response): Promise<string> {
    await this.record(jasminReceipt(form));
    return acknowledgeToJasmin(response);
  }

  @Get('kannel/dlr')
  @ApiKeyInUrl('write')
  @ApiKannelDlr()
  receiveKannelDlr(@Query() query: GatewayFields): Promise<ReceiptResultDto> {
    return this.record(kannelReceipt(query));
  }

  @Post('twilio/status')
  @HttpCode(HttpStatus.OK)
  @AuthenticatedBySignature()
  @UseGuards(TwilioSignatureGuard)
  @ApiTwilioStatus()
  receiveTwilioStatus(@Body(FormBodyPipe) form: FormFields): Promise<ReceiptResultDto> {
    return this.record(twilioReceipt(form));
  }

  private async record(receipt: GatewayReceipt): Promise<ReceiptResultDto> {
    const [result] = await this.recorder.record([receipt]);
    return { result };
  }
}

/** Jasmin's acknowledgement, as plain text: set on the answer only once recorded, so that an error stays JSON. */
function acknowledgeToJasmin(response: Response): string {
  response.type('text/plain; charset=utf-8');
  return JASMIN_ACK;
}
