import { applyDecorators, Injectable, PipeTransform } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString } from 'class-validator';

import { FieldErrorDto } from '../../../core/errors/error-response.dto';
import { RequestValidationException } from '../../../core/errors/request-validation.exception';
import { NestedListProperty, TextProperty } from '../../../core/validation/decorators';
import { RequestValidationPipe } from '../../../core/validation/request-validation.pipe';
import { GatewayNameProperty, MessageIdProperty } from '../../../tracking/decorators';
import { DeliveryOutcome, GatewayReceipt, RECEIPT_STATUSES, ReceiptResult, ReceiptStatus } from '../../../tracking/gateway-receipt';

/** Receipts per request: the uploads' sub-batch size. */
export const MAX_RECEIPTS_PER_REQUEST = 5000;
/** A gateway's error code, as it gives it: Jasmin's and Kannel's are a few digits, Twilio's five. */
export const MAX_ERROR_CODE_LENGTH = 64;

/** When a message reached its outcome: ISO 8601 with a date and a time. */
function DoneAtProperty(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    ApiProperty({
      description: 'When the message reached its outcome, as the gateway says (ISO 8601); absent: when the receipt is recorded.',
      type: String,
      format: 'date-time',
      example: '2024-04-17T09:14:00Z',
      required: false,
    }),
    IsString(),
    IsISO8601({ strict: true, strictSeparator: true }),
  );
}

export class GatewayReceiptDto {
  @GatewayNameProperty({ description: 'The gateway that reports.' })
  gateway: string;

  @MessageIdProperty({ description: "The gateway's id of the message, as a submission gave it." })
  messageId: string;

  @ApiProperty({
    enum: RECEIPT_STATUSES,
    enumName: 'ReceiptStatus',
    description: `A final outcome (${Object.values(DeliveryOutcome).join(', ')}) moves the document to DONE; an intermediate report to SENT.`,
    example: DeliveryOutcome.DELIVERED,
  })
  @IsIn(RECEIPT_STATUSES)
  status: ReceiptStatus;

  @TextProperty({
    description: "The gateway's error code, as it gave it.",
    maxLength: MAX_ERROR_CODE_LENGTH,
    example: '000',
    required: false,
  })
  errorCode?: string;

  @DoneAtProperty()
  doneAt?: string;
}

/** The list as a property, so that the pipe validates it with the project's rules and words. */
class GatewayReceiptListDto {
  @NestedListProperty(() => GatewayReceiptDto, { description: 'The receipts.', maxItems: MAX_RECEIPTS_PER_REQUEST })
  receipts: GatewayReceiptDto[];
}

/**
 * `POST /tracking/receipts` takes a bare JSON array, which Nest's validation leaves alone: this pipe
 * checks it as the list it is (`body` must be an array of 1 to 5000 receipts) and each receipt with
 * the DTO's rules, naming a field `["body", 3, "status"]`. It answers the service's receipts.
 */
@Injectable()
export class GatewayReceiptsPipe implements PipeTransform<unknown, Promise<GatewayReceipt[]>> {
  private readonly validation = new RequestValidationPipe();

  async transform(body: unknown): Promise<GatewayReceipt[]> {
    try {
      const { receipts } = (await this.validation.transform(
        { receipts: body },
        { type: 'body', metatype: GatewayReceiptListDto },
      )) as GatewayReceiptListDto;
      return receipts.map(toGatewayReceipt);
    } catch (error) {
      if (error instanceof RequestValidationException) throw new RequestValidationException(error.fieldErrors.map(asBodyError));
      throw error;
    }
  }
}

/** A field error of the wrapping list, as one of the bare array: `["body", "receipts", 3]` is `["body", 3]`, "receipts must…" is "body must…". */
function asBodyError({ loc, msg, type }: FieldErrorDto): FieldErrorDto {
  const inList = loc.length > 2 || loc[1] !== 'receipts';
  return { loc: ['body', ...loc.slice(2)], msg: inList ? msg : msg.replace(/^receipts /, 'body '), type };
}

function toGatewayReceipt({ gateway, messageId, status, errorCode, doneAt }: GatewayReceiptDto): GatewayReceipt {
  return { gateway, messageId, status, errorCode: errorCode ?? null, doneAt: doneAt === undefined ? null : new Date(doneAt) };
}

/** What became of one receipt, in the order sent. */
export class ReceiptOutcomeDto {
  @ApiProperty({ description: "The receipt's message id, as sent.", example: '16fd2706-8baf-433b-82eb-8c7fada847da' })
  messageId: string;

  @ApiProperty({ description: "The receipt's gateway.", example: 'jasmin' })
  gateway: string;

  @ApiProperty({
    enum: ['applied', 'unchanged', 'pending'],
    enumName: 'ReceiptResult',
    description:
      '`applied`: the document changed; `unchanged`: a duplicate, a late intermediate report, or an outcome there already; `pending`: no document has the id yet, kept until a submission names it.',
    example: 'applied',
  })
  result: ReceiptResult;
}
