import 'reflect-metadata';

import { ArgumentMetadata } from '@nestjs/common';
import { IsString } from 'class-validator';

import { loadTestData } from '../../../test/helpers/load-test-data';
import { ListTransferProgressQueryDto } from '../../progress-page/dto/list-transfer-progress.query.dto';
import { ExportSmsDocumentsQueryDto } from '../../sms-document/dto/export-sms-documents.query.dto';
import { ListSmsDocumentsQueryDto } from '../../sms-document/dto/list-sms-documents.query.dto';
import { RecordReceiptsDto } from '../../sms-document/dto/record-receipts.dto';
import { UbidUniqueIdPathDto } from '../../sms-document/dto/unique-id-path.dto';
import {
  MAX_DATA_BYTES,
  MAX_DATA_DEPTH,
  MAX_DOCUMENTS_PER_REQUEST,
  UpsertSmsDocumentsDto,
} from '../../sms-document/dto/upsert-sms-documents.dto';
import { CreateSmsTransferDto } from '../../sms-transfer/dto/create-sms-transfer.dto';
import { ListSmsTransfersQueryDto } from '../../sms-transfer/dto/list-sms-transfers.query.dto';
import { PurgeSmsTransfersQueryDto } from '../../sms-transfer/dto/purge-sms-transfers.dto';
import { SetFallbackCountDto } from '../../sms-transfer/dto/set-fallback-count.dto';
import { UbidPathDto, UbidStatePathDto } from '../../tracking/path-params.dto';
import { FieldErrorDto } from '../errors/error-response.dto';
import { RequestValidationException } from '../errors/request-validation.exception';
import { MAX_BODY_DEPTH, RequestValidationPipe } from './request-validation.pipe';

/**
 * Every request DTO of the API through the pipe the app validates with, each rule at its edge:
 * the values that pass (as the controller gets them, defaults filled in) and the exact 422 detail
 * of those that do not. The e2e tests check the same rules over HTTP; this file checks them in
 * milliseconds, which is also what lets a mutation run reject a broken rule quickly.
 */
const DTOS = {
  CreateSmsTransferDto,
  SetFallbackCountDto,
  ListSmsTransfersQueryDto,
  PurgeSmsTransfersQueryDto,
  UpsertSmsDocumentsDto,
  RecordReceiptsDto,
  ListSmsDocumentsQueryDto,
  ExportSmsDocumentsQueryDto,
  UbidUniqueIdPathDto,
  ListTransferProgressQueryDto,
  UbidPathDto,
  UbidStatePathDto,
};

interface Case {
  name: string;
  dto: keyof typeof DTOS;
  type: ArgumentMetadata['type'];
  value: Record<string, unknown>;
}
interface TestData {
  accepted: (Case & { expected: Record<string, unknown> })[];
  refused: (Case & { detail: FieldErrorDto[] })[];
}
const { accepted, refused } = loadTestData<TestData>(__filename);

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const document = (uniqueId: string, data: Record<string, unknown> = {}) => ({ SMScount: 1, uniqueId, data });
const uniqueIds = (count: number) => Array.from({ length: count }, (_, index) => String(index));
const documents = (count: number) => uniqueIds(count).map((uniqueId) => document(uniqueId));
/** `{ a: { a: … { a: {} } } }`, `levels` objects deep. */
const nested = (levels: number): Record<string, unknown> => (levels <= 1 ? {} : { a: nested(levels - 1) });

describe('RequestValidationPipe', () => {
  // Made in beforeAll, not when the file loads: a constructor that throws must fail the tests, not the file.
  let pipe: RequestValidationPipe;
  beforeAll(() => (pipe = new RequestValidationPipe()));
  const validate = (dto: keyof typeof DTOS, type: ArgumentMetadata['type'], value: unknown) =>
    pipe.transform(value, { type, metatype: DTOS[dto] });
  /** The 422's field errors; a value that passes fails the assertion inside. */
  const refusalOf = async (value: unknown, metadata: ArgumentMetadata): Promise<FieldErrorDto[]> => {
    const error: unknown = await pipe.transform(value, metadata).catch((refusal: unknown) => refusal);
    expect(error).toBeInstanceOf(RequestValidationException);
    expect((error as RequestValidationException).getStatus()).toBe(422);
    return (error as RequestValidationException).fieldErrors;
  };
  const detailOf = (dto: keyof typeof DTOS, type: ArgumentMetadata['type'], value: unknown) =>
    refusalOf(value, { type, metatype: DTOS[dto] });

  it.each(accepted.map((c) => [c.name, c] as const))('accepts %s', async (_, { dto, type, value, expected }) => {
    await expect(validate(dto, type, value)).resolves.toEqual(expected);
  });

  it.each(refused.map((c) => [c.name, c] as const))('refuses %s', async (_, { dto, type, value, detail }) => {
    expect(await detailOf(dto, type, value)).toEqual(detail);
  });

  it.each([
    ['documents', 'UpsertSmsDocumentsDto', (count: number) => ({ UBID, documents: documents(count) })],
    ['uniqueIds', 'RecordReceiptsDto', (count: number) => ({ state: 'DONE', uniqueIds: uniqueIds(count) })],
  ] as const)('takes up to %s %s in one request', async (field, dto, body) => {
    await expect(validate(dto, 'body', body(MAX_DOCUMENTS_PER_REQUEST))).resolves.toEqual(body(MAX_DOCUMENTS_PER_REQUEST));
    expect(await detailOf(dto, 'body', body(MAX_DOCUMENTS_PER_REQUEST + 1))).toEqual([
      { loc: ['body', field], msg: `${field} must contain no more than ${MAX_DOCUMENTS_PER_REQUEST} elements`, type: 'arrayMaxSize' },
    ]);
  });

  it(`takes a document's data up to ${MAX_DATA_DEPTH} levels deep`, async () => {
    const deepest = { UBID, documents: [document('1', nested(MAX_DATA_DEPTH))] };
    await expect(validate('UpsertSmsDocumentsDto', 'body', deepest)).resolves.toEqual(deepest);

    expect(await detailOf('UpsertSmsDocumentsDto', 'body', { UBID, documents: [document('1', nested(MAX_DATA_DEPTH + 1))] })).toEqual([
      {
        loc: ['body', 'documents', 0, 'data'],
        msg: `data must not be nested more than ${MAX_DATA_DEPTH} levels deep`,
        type: 'maxJsonDepth',
      },
    ]);
  });

  it(`takes a document's data up to ${MAX_DATA_BYTES} bytes as JSON`, async () => {
    // {"t":"…"} is 8 bytes around the text.
    const largest = { UBID, documents: [document('1', { t: 'x'.repeat(MAX_DATA_BYTES - 8) })] };
    await expect(validate('UpsertSmsDocumentsDto', 'body', largest)).resolves.toEqual(largest);

    expect(
      await detailOf('UpsertSmsDocumentsDto', 'body', { UBID, documents: [document('1', { t: 'x'.repeat(MAX_DATA_BYTES - 7) })] }),
    ).toEqual([
      { loc: ['body', 'documents', 0, 'data'], msg: `data must not be larger than ${MAX_DATA_BYTES} bytes as JSON`, type: 'maxJsonBytes' },
    ]);
  });

  it("answers a query as its DTO, with the DTO's defaults filled in and unknown parameters dropped", async () => {
    const query = await validate('ListSmsTransfersQueryDto', 'query', { limit: '5', unknown: 'x' });

    expect(query).toBeInstanceOf(ListSmsTransfersQueryDto);
    expect(query).toEqual({ limit: 5, offset: 0 });
  });

  // Only bodies take the compiled check's shortcut, which answers the parsed object as it came.
  it('answers path parameters as their DTO, not as the object they came in', async () => {
    const path = { ubid: UBID };

    expect(await validate('UbidPathDto', 'param', path)).toBeInstanceOf(UbidPathDto);
  });

  it(`refuses a body nested more than ${MAX_BODY_DEPTH} levels deep before class-validator walks it`, async () => {
    const hostile = { UBID, documents: [document('1', nested(MAX_BODY_DEPTH))] };

    expect(await detailOf('UpsertSmsDocumentsDto', 'body', hostile)).toEqual([
      { loc: ['body'], msg: `body must not be nested more than ${MAX_BODY_DEPTH} levels deep`, type: 'maxJsonDepth' },
    ]);
  });

  // class-validator's forbidUnknownValues: a DTO that forgot its decorators checks nothing, so nothing passes.
  it.each(['body', 'query'] as const)('refuses any %s for a DTO that declares no rules', async (type) => {
    class WithoutRules {
      name?: string;
    }

    // Strict: toEqual would take `[type, undefined]`, which JSON answers as `[type, null]`, for `[type]`.
    expect(await refusalOf({ name: 'x' }, { type, metatype: WithoutRules })).toStrictEqual([
      { loc: [type], msg: 'an unknown value was passed to the validate function', type: 'unknownValue' },
    ]);
  });

  it('names an array element by its index, as a number of as many digits as it takes', async () => {
    const body = { UBID, documents: [...documents(10), { SMScount: 1, uniqueId: '10', data: [] }] };

    expect(await detailOf('UpsertSmsDocumentsDto', 'body', body)).toStrictEqual([
      { loc: ['body', 'documents', 10, 'data'], msg: 'data must be an object', type: 'isObject' },
    ]);
  });

  it('names a property whose name ends in digits by its name, not as an array index', async () => {
    class Address {
      @IsString()
      line2: string;

      @IsString()
      '2ndFloor': string;
    }

    expect(await refusalOf({ line2: 2, '2ndFloor': 2 }, { type: 'body', metatype: Address })).toStrictEqual([
      { loc: ['body', 'line2'], msg: 'line2 must be a string', type: 'isString' },
      { loc: ['body', '2ndFloor'], msg: '2ndFloor must be a string', type: 'isString' },
    ]);
  });

  it('passes a valid upload body on as it came, without building class instances', async () => {
    const body = { UBID, documents: documents(2) };

    expect(await validate('UpsertSmsDocumentsDto', 'body', body)).toBe(body);
  });

  it.each([
    ['the raw lane’s bytes', Buffer.from('{"UBID": "\\u0000"}')],
    ['a parsed body, NUL and all', { UBID: '\0', documents: 'not checked here' }],
  ])('leaves %s of a body declared without a DTO class to its own pipe, untouched', async (_what, body) => {
    await expect(pipe.transform(body, { type: 'body', metatype: Object })).resolves.toBe(body);
    await expect(pipe.transform(body, { type: 'body' })).resolves.toBe(body);
  });

  it('still searches a query declared without a DTO class for NUL', async () => {
    expect(await refusalOf({ name: 'a\0' }, { type: 'query', metatype: Object })).toEqual([
      { loc: ['query', 'name'], msg: 'name must not contain the NUL character (U+0000)', type: 'noNulCharacter' },
    ]);
  });

  it('hands the compiled check it gives a DTO to a pipe that checks the body itself', () => {
    const check = pipe.compiledCheckFor(UpsertSmsDocumentsDto)!;

    expect(check({ UBID, documents: documents(1) })).toBe(true);
    expect(check({ UBID, documents: [] })).toBe(false);
    expect(pipe.compiledCheckFor(UpsertSmsDocumentsDto)).toBe(check);
  });
});
