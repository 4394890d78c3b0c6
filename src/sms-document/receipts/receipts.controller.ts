import { Body, Controller, Param, Post } from '@nestjs/common';

import { GatewayReceipt } from '../../tracking/gateway-receipt';
import { UbidPathDto } from '../../tracking/path-params.dto';
import { GatewayReceiptsPipe, ReceiptOutcomeDto } from './dto/gateway-receipts.dto';
import { SubmissionsResultDto, SubmitMessagesDto } from './dto/submissions.dto';
import { ApiReceipts, ApiRecordGatewayReceipts, ApiSubmitMessages } from './receipts.docs';
import { ReceiptsService } from './receipts.service';

/** HTTP in, HTTP out for the gateways' message ids and receipts; the rules live in ReceiptsService. Method names are the operationIds. */
@ApiReceipts()
@Controller('tracking')
export class ReceiptsController {
  constructor(private readonly receipts: ReceiptsService) {}

  @Post('sms_documents/:ubid/submissions')
  @ApiSubmitMessages()
  submitMessages(@Param() { ubid }: UbidPathDto, @Body() { gateway, messages }: SubmitMessagesDto): Promise<SubmissionsResultDto> {
    return this.receipts.submit(ubid, gateway, messages);
  }

  @Post('receipts')
  @ApiRecordGatewayReceipts()
  async recordGatewayReceipts(@Body(GatewayReceiptsPipe) receipts: GatewayReceipt[]): Promise<ReceiptOutcomeDto[]> {
    const results = await this.receipts.record(receipts);
    return receipts.map(({ messageId, gateway }, index) => ({ messageId, gateway, result: results[index] }));
  }
}
