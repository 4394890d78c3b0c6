import { HttpException } from '@nestjs/common';

import { FormBodyPipe } from './form-body.pipe';

function refusal(body: unknown) {
  try {
    new FormBodyPipe().transform(body);
  } catch (error) {
    return { status: (error as HttpException).getStatus(), body: (error as HttpException).getResponse() };
  }
  throw new Error('the body was taken');
}

describe('FormBodyPipe', () => {
  it("hands on the parser's fields", () => {
    const form = { MessageSid: 'SM1', repeated: ['a', 'b'] };

    expect(new FormBodyPipe().transform(form)).toBe(form);
  });

  it('refuses a body the form parser did not read: another type, or none', () => {
    const notAForm = {
      status: 415,
      body: { statusCode: 415, detail: 'This route takes a form: send the body as application/x-www-form-urlencoded' },
    };
    expect(refusal(undefined)).toEqual(notAForm);
    expect(refusal('id=1')).toEqual(notAForm);
  });

  it('refuses the NUL character in a value or a repeated value, as the validation pipe does elsewhere', () => {
    expect(refusal({ id: 'a\0', list: ['b', 'c\0'] })).toEqual({
      status: 422,
      body: {
        statusCode: 422,
        detail: [
          { loc: ['body', 'id'], msg: 'id must not contain the NUL character (U+0000)', type: 'noNulCharacter' },
          { loc: ['body', 'list', 1], msg: 'each value in list must not contain the NUL character (U+0000)', type: 'noNulCharacter' },
        ],
      },
    });
  });
});
