import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiTrackingResource, fieldError } from '../core/openapi/api-error-responses';
import { EXAMPLE_UBID } from '../core/validation/decorators';
import { UbidPathDto, UbidStatePathDto } from '../core/validation/path-params.dto';
import { SmsDocumentResultDto } from './dto/sms-document-result.dto';
import { UpsertSmsDocumentsDto } from './dto/upsert-sms-documents.dto';
import { SmsDocumentService } from './sms-document.service';

const NOT_FOUND = { example: `UBID '${EXAMPLE_UBID}' not found in table tracking.sms_documents` };

/** HTTP in, HTTP out: the rules live in SmsDocumentService. Method names are the operationIds. */
@ApiTags('SMS_documents')
@ApiTrackingResource()
@Controller('tracking/sms_documents')
export class SmsDocumentController {
  constructor(private readonly documents: SmsDocumentService) {}

  @Post()
  @ApiOperation({
    summary: 'Upload documents of a batch',
    description:
      'Bulk upsert of 1 to 5000 documents in one transaction: all are stored or none. An existing (UBID, uniqueId) gets the new values, state INIT and when now.',
  })
  @ApiBody({
    type: UpsertSmsDocumentsDto,
    examples: {
      twoDocuments: {
        summary: 'Two documents',
        value: {
          UBID: EXAMPLE_UBID,
          documents: [
            { SMScount: 1, uniqueId: '0000000001', data: { phone: '+4917012345678', text: 'Your parcel arrives today' } },
            { SMScount: 2, uniqueId: '0000000002', data: { phone: '+4917087654321', text: 'A longer text…', meta: { priority: 1 } } },
          ],
        },
      },
    },
  })
  @ApiCreatedResponse({
    type: SmsDocumentResultDto,
    description: 'All documents stored.',
    example: { result: `Inserted 2 document(s) for UBID '${EXAMPLE_UBID}' in table tracking.sms_documents`, count: 2 },
  })
  @ApiErrorResponses({
    413: { example: 'Request body is larger than the 16 MiB limit' },
    422: {
      description: 'Invalid documents (`detail` lists them), or the UBID is not a registered transfer (`detail` is a sentence). Nothing is stored.',
      example: fieldError(['body', 'documents', 3, 'SMScount'], 'SMScount must not be less than 1', 'min'),
    },
  })
  upsertDocuments(@Body() body: UpsertSmsDocumentsDto): Promise<SmsDocumentResultDto> {
    return this.documents.upsert(body.UBID, body.documents);
  }

  @Get(':ubid')
  @ApiOperation({ summary: 'Count the documents of a batch' })
  @ApiOkResponse({
    type: SmsDocumentResultDto,
    example: { result: `Found 412343 document(s) for UBID '${EXAMPLE_UBID}' in table tracking.sms_documents`, count: 412343 },
  })
  @ApiErrorResponses({ 404: { ...NOT_FOUND, description: 'The batch has no documents.' }, 422: { example: fieldError(['path', 'ubid'], 'ubid must be a UUID', 'isUuid') } })
  countDocuments(@Param() { ubid }: UbidPathDto): Promise<SmsDocumentResultDto> {
    return this.documents.count(ubid);
  }

  @Put(':ubid/:state')
  @ApiOperation({ summary: 'Set the state of every document of a batch', description: 'Also sets `when` to now.' })
  @ApiOkResponse({
    type: SmsDocumentResultDto,
    example: { result: `Updated state to 'SENT' in 412343 row(s) for UBID '${EXAMPLE_UBID}' in table tracking.sms_documents`, count: 412343 },
  })
  @ApiErrorResponses({
    404: { ...NOT_FOUND, description: 'The batch has no documents.' },
    422: { example: fieldError(['path', 'state'], 'state must be one of the following values: INIT, SENT, DONE', 'isEnum') },
  })
  updateDocumentsState(@Param() { ubid, state }: UbidStatePathDto): Promise<SmsDocumentResultDto> {
    return this.documents.updateState(ubid, state);
  }
}
