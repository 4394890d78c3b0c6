import { Body, Controller, Get, Header, HttpCode, HttpStatus, Post, Query, UseGuards } from '@nestjs/common';

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
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiJasminDlr()
  async receiveJasminDlr(@Query() query: GatewayFields): Promise<string> {
    await this.record(jasminReceipt(query));
    return JASMIN_ACK;
  }

  @Post('jasmin/dlr')
  @HttpCode(HttpStatus.OK)
  @ApiKeyInUrl('write')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiJasminDlrForm()
  async receiveJasminDlrForm(@Body(FormBodyPipe) form: FormFields): Promise<string> {
    await this.record(jasminReceipt(form));
    return JASMIN_ACK;
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
