import { Readable } from 'node:stream';

import { json, Request, Response } from 'express';
import fc from 'fast-check';

import { parseJsonBody } from './body-parsing';

/** What Express's JSON parser (strict, as the service's) makes of the bytes: `{ value }` or `{ error }`, its message. */
function parsedByExpress(bytes: Buffer): Promise<{ value?: unknown; error?: string }> {
  const request = Object.assign(Readable.from([bytes]), {
    headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) },
    method: 'POST',
  }) as unknown as Request;
  return new Promise((resolve) =>
    json()(request, {} as Response, (error?: unknown) =>
      resolve(error ? { error: `Invalid JSON: ${(error as Error).message}` } : { value: request.body as unknown }),
    ),
  );
}

function parsedHere(bytes: Buffer): Promise<{ value?: unknown; error?: string }> {
  return parseJsonBody(bytes).then(
    (value) => ({ value }),
    (error: { response: { detail: { msg: string }[] } }) => ({ error: error.response.detail[0].msg }),
  );
}

describe('parseJsonBody', () => {
  it('parses any text as the JSON parser does: the same value, or the same words', async () => {
    const text = fc.oneof(
      fc.json(),
      fc.string({ unit: 'binary' }),
      fc.tuple(fc.constantFrom('{', '[', ' {', '\n[', '\t', '"'), fc.string({ unit: 'binary' })).map(([start, rest]) => start + rest),
      fc.json().map((valid) => valid.slice(0, -1)),
    );
    await fc.assert(
      fc.asyncProperty(text, async (body) => {
        const bytes = Buffer.from(body);
        expect(await parsedHere(bytes)).toEqual(await parsedByExpress(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['an empty body, as an empty object', ''],
    ['a body of whitespace only', ' \n'],
    ['a bare value', '"text"'],
    ['a number', '12'],
    ['null', 'null'],
    ['an object after a byte-order mark', '\uFEFF{"a": 1}'],
    ['an object after whitespace', ' \r\n\t{"a": [1, {"b": null}]}'],
    ['an object cut short', '{"a": '],
  ])('parses %s as the JSON parser does', async (_what, body) => {
    expect(await parsedHere(Buffer.from(body))).toEqual(await parsedByExpress(Buffer.from(body)));
  });

  it('refuses bytes that are not UTF-8', async () => {
    expect(await parsedHere(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toEqual({
      error: 'Invalid JSON: the body is not valid UTF-8',
    });
  });
});
