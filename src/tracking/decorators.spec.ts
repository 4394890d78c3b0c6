import { StateProperty, UbidProperty } from './decorators';

class Documented {
  @UbidProperty()
  ubid: string;

  @StateProperty({ description: 'Where it is.' })
  state: string;
}

/** What @nestjs/swagger records for a property, from which it writes the OpenAPI schema (its metadata key). */
const documented = (property: keyof Documented): unknown =>
  Reflect.getMetadata('swagger/apiModelProperties', Documented.prototype, property);

// As src/core/validation/decorators.spec.ts does for the generic ones: what each decorator adds to
// the document, in milliseconds. Their rules are checked by request-validation.pipe.spec.ts.
describe("the tracking fields' decorators document", () => {
  it.each<[keyof Documented, string, object]>([
    [
      'ubid',
      'a UBID as a UUID with its example',
      {
        type: String,
        description: 'The batch id (Unique Batch ID), a UUID.',
        format: 'uuid',
        example: '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10',
      },
    ],
    [
      'state',
      'a state as the named TrackingState enum',
      {
        type: 'string',
        enum: ['INIT', 'SENT', 'DONE'],
        enumName: 'TrackingState',
        enumSchema: { description: 'Where a transfer or a document is in its life cycle: INIT, then SENT, then DONE.' },
        description: 'Where it is.',
        example: 'SENT',
        required: true,
      },
    ],
  ])('%s: %s', (property, _what, expected) => {
    expect(documented(property)).toEqual(expected);
  });
});
