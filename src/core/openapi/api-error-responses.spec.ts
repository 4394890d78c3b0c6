import { DECORATORS } from '@nestjs/swagger';

import { DomainError } from '../errors/domain-error';
import { bodyTooLarge } from '../http/body-parsing';
import { ApiErrorResponses } from './api-error-responses';

const thingNotFound = new DomainError('not-found', "Thing '7' not found");

class Documented {
  @ApiErrorResponses({ 404: { description: 'No such thing.', example: thingNotFound }, 413: bodyTooLarge() })
  handle(): void {}
}

describe('ApiErrorResponses', () => {
  const responses = Reflect.getMetadata(DECORATORS.API_RESPONSE, Documented.prototype.handle) as Record<string, object>;

  it("describes the plumbing's answers by itself and a feature's with the words it is given, each with its real detail", () => {
    expect(responses).toMatchObject({
      404: { description: 'No such thing.', example: { statusCode: 404, detail: "Thing '7' not found" } },
      413: {
        description: 'The request body is larger than 16 MiB.',
        example: { statusCode: 413, detail: 'Request body is larger than the 16 MiB limit' },
      },
    });
  });

  it("refuses, when type-checked, a feature's answer without a description: core has none to give it", () => {
    // @ts-expect-error a 404 is a feature's, and only the feature can say what it means
    expect(() => ApiErrorResponses({ 404: thingNotFound })).not.toThrow();
  });
});
