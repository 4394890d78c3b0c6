import {
  ChoiceQueryProperty,
  CountProperty,
  IntegerQueryProperty,
  NestedListProperty,
  TextProperty,
  TimeQueryProperty,
} from './decorators';

class Item {
  name: string;
}

class Documented {
  @CountProperty({ description: 'How many.', example: 3 })
  count: number;

  @TextProperty({ description: 'A name.', maxLength: 5, example: 'ab', required: false })
  text?: string;

  @NestedListProperty(() => Item, { description: 'The items.', maxItems: 7 })
  list: Item[];

  @IntegerQueryProperty({ description: 'A page size.', minimum: 0, maximum: 9, default: 4, example: 5 })
  limit: number;

  @ChoiceQueryProperty({ description: 'A format.', choices: ['a', 'b'], enumName: 'Format', default: 'a' })
  format: string;

  @TimeQueryProperty({ description: 'A bound.', example: '2024-01-01' })
  before: string;
}

/** What @nestjs/swagger records for a property, from which it writes the OpenAPI schema (its metadata key). */
const documented = (property: keyof Documented): unknown =>
  Reflect.getMetadata('swagger/apiModelProperties', Documented.prototype, property);

// The rules these decorators validate are checked by request-validation.pipe.spec.ts; the OpenAPI
// document they make, whole, by src/write-openapi.spec.ts. This spec says what each decorator adds
// to the document, in milliseconds.
describe('the composite property decorators document', () => {
  it.each<[keyof Documented, string, object]>([
    [
      'count',
      'a count as an integer from 1 to the largest INTEGER of PostgreSQL',
      {
        type: 'integer',
        minimum: 1,
        maximum: 2147483647,
        description: 'How many.',
        example: 3,
        isArray: false,
      },
    ],
    [
      'text',
      'a text as 1 to maxLength characters, optional when asked',
      {
        type: String,
        description: 'A name.',
        example: 'ab',
        minLength: 1,
        maxLength: 5,
        required: false,
      },
    ],
    [
      'list',
      'a nested list as 1 to maxItems items of its type',
      { description: 'The items.', type: Item, minItems: 1, maxItems: 7, isArray: true },
    ],
    [
      'limit',
      'an integer query parameter with its range and default, optional',
      {
        type: 'integer',
        required: false,
        description: 'A page size.',
        minimum: 0,
        maximum: 9,
        default: 4,
        example: 5,
        isArray: false,
      },
    ],
    [
      'format',
      'a choice as a named enum with its default, optional',
      {
        type: 'string',
        description: 'A format.',
        enum: ['a', 'b'],
        enumName: 'Format',
        default: 'a',
        example: 'a',
        required: false,
      },
    ],
    [
      'before',
      'a time as a date-time string',
      {
        description: 'A bound.',
        example: '2024-01-01',
        type: String,
        format: 'date-time',
        isArray: false,
      },
    ],
  ])('%s: %s', (property, _what, expected) => {
    expect(documented(property)).toEqual(expected);
  });
});
