import { Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import {
  Allow,
  IsDefined,
  IsEmail,
  IsOptional,
  IsString,
  Min,
  Validate,
  ValidateNested,
  ValidatePromise,
  validateSync,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import fc from 'fast-check';

import { UpsertSmsDocumentsDto } from '../../sms-document/dto/upsert-sms-documents.dto';
import { CreateSmsTransferDto } from '../../sms-transfer/dto/create-sms-transfer.dto';
import { ListSmsTransfersQueryDto } from '../../sms-transfer/dto/list-sms-transfers.query.dto';
import { CompiledValidation, UncompilableDtoError } from './compiled-validation';

type Dto = new () => object;

/** What class-validator decides, with the options of RequestValidationPipe. */
function classValidatorAccepts(dto: Dto, value: unknown): boolean {
  const instance = plainToInstance(dto, structuredClone(value));
  return typeof instance === 'object' && instance !== null && !Array.isArray(instance)
    ? validateSync(instance, { whitelist: true, forbidUnknownValues: true }).length === 0
    : false;
}

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

/** What the server sees of a generated value: it came as JSON (an undefined key is absent, in a list it is null). */
const asParsedJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** Values of every JSON type, biased towards the edges of each rule. */
const anyJson = fc.oneof(
  fc.constantFrom(0, 1, -1, 1.5, 5000, 5001, 2 ** 53, '', '1', 'abcdefghij', 'abcdefghijk', null, true, UBID, [], {}),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.constant(undefined),
);
const validDocument = fc.record({
  SMScount: fc.integer({ min: 1, max: 10 }),
  uniqueId: fc.string({ minLength: 1, maxLength: 10 }),
  data: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
});
/** A valid document with, sometimes, one property replaced by anything, dropped, or one added. */
const document = fc.oneof(
  validDocument,
  fc
    .tuple(validDocument, fc.constantFrom('SMScount', 'uniqueId', 'data', 'extra'), anyJson)
    .map(([doc, key, value]) => ({ ...doc, [key]: value })),
  anyJson,
);
const documentsBody = fc.record(
  {
    UBID: fc.oneof(fc.constant(UBID), fc.uuid(), anyJson),
    documents: fc.oneof(fc.array(document, { minLength: 0, maxLength: 6 }), anyJson),
    surplus: anyJson,
  },
  { requiredKeys: [] },
);

describe('CompiledValidation', () => {
  // Made in beforeAll, not when the file loads: a constructor that throws must fail the tests, not the file.
  let compiled: CompiledValidation;
  beforeAll(() => (compiled = new CompiledValidation()));

  // The exact schemas first: quick, and they name the rule that changed; the property checks below are slower.
  it("compiles the rules JSON Schema has words for into JSON Schema, and the others into class-validator's checks", () => {
    const { properties } = new CompiledValidation().schemaFor(CreateSmsTransferDto) as { properties: Record<string, unknown> };

    expect(properties).toEqual({
      SMScount: { allOf: [{ type: 'integer' }, { type: 'number', minimum: 1 }, { type: 'number', maximum: 2147483647 }] },
      documents: { allOf: [{ type: 'integer' }, { type: 'number', minimum: 1 }, { type: 'number', maximum: 2147483647 }] },
      UBID: { allOf: [{ classValidator: 0 }] },
      fileName: { allOf: [{ type: 'string' }, { not: { enum: ['', null] } }, { type: 'string', maxLength: 55 }] },
      origName: { allOf: [{ type: 'string' }, { not: { enum: ['', null] } }, { type: 'string', maxLength: 50 }] },
    });
  });
  it('compiles the documents body, each document an object of its three properties and the two optional ones, the list 1 to 5000 long', () => {
    const sizeRule = { allOf: [{ type: 'integer' }, { type: 'number', minimum: 1 }, { type: 'number', maximum: 2147483647 }] };

    expect(new CompiledValidation().schemaFor(UpsertSmsDocumentsDto)).toEqual({
      type: 'object',
      properties: {
        UBID: { allOf: [{ classValidator: 0 }] },
        documents: {
          allOf: [
            { type: 'array' },
            { type: 'array', minItems: 1 },
            { type: 'array', maxItems: 5000 },
            { if: { type: 'array' }, then: { items: { type: 'object' } }, else: { type: 'object' } },
            {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  SMScount: sizeRule,
                  uniqueId: { allOf: [{ type: 'string' }, { not: { enum: ['', null] } }, { type: 'string', maxLength: 10 }] },
                  data: { allOf: [{ type: 'object' }, { classValidator: 1 }, { classValidator: 2 }] },
                  gateway: { anyOf: [{ type: 'null' }, { allOf: [{ type: 'string' }, { classValidator: 3 }] }] },
                  messageId: { anyOf: [{ type: 'null' }, { allOf: [{ type: 'string' }, { classValidator: 4 }] }] },
                },
                required: ['SMScount', 'uniqueId', 'data'],
                additionalProperties: false,
              },
            },
          ],
        },
      },
      required: ['UBID', 'documents'],
      additionalProperties: false,
    });
  });

  it.each([UpsertSmsDocumentsDto, CreateSmsTransferDto])('compiles %p, once', (dto) => {
    expect(compiled.validatorFor(dto)).toBeInstanceOf(Function);
    expect(compiled.validatorFor(dto)).toBe(compiled.validatorFor(dto));
  });

  it('decides the documents body exactly as class-validator does', () => {
    const check = compiled.validatorFor(UpsertSmsDocumentsDto)!;
    fc.assert(
      fc.property(documentsBody.map(asParsedJson), (body) => {
        expect(check(structuredClone(body))).toBe(classValidatorAccepts(UpsertSmsDocumentsDto, body));
      }),
      { numRuns: 3000 },
    );
  });

  it('decides the transfer body exactly as class-validator does', () => {
    const check = compiled.validatorFor(CreateSmsTransferDto)!;
    const body = fc.record(
      {
        SMScount: anyJson,
        documents: anyJson,
        UBID: fc.oneof(fc.uuid(), anyJson),
        fileName: fc.oneof(fc.string({ maxLength: 60 }), anyJson),
        origName: anyJson,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(body.map(asParsedJson), (value) => {
        expect(check(structuredClone(value))).toBe(classValidatorAccepts(CreateSmsTransferDto, value));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes a full batch of 5000 and removes unknown properties at every level but inside data', () => {
    const body = {
      UBID,
      extra: 1,
      documents: Array.from({ length: 5000 }, (_, index) => ({
        SMScount: 1,
        uniqueId: String(index),
        data: { index, extra: true },
        state: 'DONE',
      })),
    };

    expect(compiled.validatorFor(UpsertSmsDocumentsDto)!(body)).toBe(true);

    expect(body).not.toHaveProperty('extra');
    expect(body.documents[4999]).toEqual({ SMScount: 1, uniqueId: '4999', data: { index: 4999, extra: true } });
  });

  // Only whether a body passes is used (class-validator writes the 422), so the check stops at its first error.
  it('stops at the first error', () => {
    const check = compiled.validatorFor(CreateSmsTransferDto)!;

    expect(check({ SMScount: 'many', documents: 'many', UBID: 7, fileName: 7, origName: 7 })).toBe(false);
    expect(check.errors).toHaveLength(1);
  });

  it('refuses 5001 documents', () => {
    const documents = Array.from({ length: 5001 }, (_, index) => ({ SMScount: 1, uniqueId: String(index), data: {} }));

    expect(compiled.validatorFor(UpsertSmsDocumentsDto)!({ UBID, documents })).toBe(false);
  });

  it("runs class-validator's own check for rules JSON Schema has no word for", () => {
    class Contact {
      @IsEmail()
      email: string;

      @IsOptional()
      @IsString()
      name?: string;
    }
    const check = compiled.validatorFor(Contact)!;

    expect(check({ email: 'ops@example.com' })).toBe(true);
    expect(check({ email: 'ops@example.com', name: null })).toBe(true);
    expect(check({ email: 'not an address' })).toBe(false);
    expect(check({ email: 'ops@example.com', name: 7 })).toBe(false);
  });

  it('compiles IsDefined and Allow into whether the property must be there', () => {
    class Named {
      @IsDefined()
      @IsString()
      name: string;
      @Allow()
      @IsString()
      tag: string;
    }

    const check = compiled.validatorFor(Named)!;

    expect([check({ name: 'x', tag: 'y' }), check({ tag: 'y' }), check({ name: 'x' })]).toEqual([true, false, false]);
  });

  it('compiles a rule whose constraint class is not decorated, which class-validator runs as synchronous', () => {
    class Even implements ValidatorConstraintInterface {
      validate(value: unknown): boolean {
        return typeof value === 'number' && value % 2 === 0;
      }
    }
    class WithEven {
      @Validate(Even)
      count: number;
    }

    const check = compiled.validatorFor(WithEven)!;

    expect([check({ count: 2 }), check({ count: 3 })]).toEqual([true, false]);
  });

  it('leaves a DTO with an asynchronous rule to class-validator', () => {
    @ValidatorConstraint({ async: true })
    class RemoteCheck implements ValidatorConstraintInterface {
      validate(): Promise<boolean> {
        return Promise.resolve(true);
      }
    }
    class WithRemoteCheck {
      @Validate(RemoteCheck)
      code: string;
    }

    expect(compiled.validatorFor(WithRemoteCheck)).toBeNull();
    expect(() => compiled.schemaFor(WithRemoteCheck)).toThrow(
      new UncompilableDtoError('WithRemoteCheck.code: asynchronous rules are not supported'),
    );
  });

  it('leaves a DTO that ajv refuses to compile to class-validator, with a warning that names it', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    class TextMinimum {
      @Min('one' as unknown as number)
      count: number;
    }

    expect(compiled.validatorFor(TextMinimum)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/^TextMinimum stays on class-validator: .*minimum/);
    warn.mockRestore();
  });

  describe('DTOs it cannot compile faithfully', () => {
    class GroupRule {
      @IsString({ groups: ['admin'] })
      tag: string;
    }
    class AlwaysRule {
      @IsString({ always: true })
      tag: string;
    }
    class PromisedValue {
      @ValidatePromise()
      pending: Promise<string>;
    }
    class NestedWithoutType {
      @ValidateNested()
      inner: object;
    }
    class WithoutRules {
      name?: string;
    }
    class AlwaysPositive implements ValidatorConstraintInterface {
      validate(value: unknown): boolean {
        return typeof value === 'number' && value > 0;
      }
    }
    class GroupCheck {
      @Validate(AlwaysPositive, { groups: ['admin'] })
      count: number;
    }

    it.each([
      ['ListSmsTransfersQueryDto has default values, which only class-transformer applies', ListSmsTransfersQueryDto as Dto],
      ["GroupRule.tag: the isString rule's options are not supported", GroupRule],
      ["AlwaysRule.tag: the isString rule's options are not supported", AlwaysRule],
      ["GroupCheck.count: the AlwaysPositive rule's options are not supported", GroupCheck],
      ['PromisedValue.pending: the promiseValidation rule is not supported', PromisedValue],
      ['NestedWithoutType.inner: @ValidateNested needs @Type(() => Class)', NestedWithoutType],
      ['WithoutRules declares no rules, so class-validator refuses its values (forbidUnknownValues)', WithoutRules],
    ])('leaves the DTO to class-validator, quietly (it is no mistake): %s', (reason, dto) => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

      expect(compiled.validatorFor(dto)).toBeNull();
      expect(warn).not.toHaveBeenCalled();
      warn.mockRestore();
      expect(() => compiled.schemaFor(dto)).toThrow(new UncompilableDtoError(reason));
    });
  });
});
