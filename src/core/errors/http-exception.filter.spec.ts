import { ArgumentsHost, ConflictException, HttpStatus, Logger } from '@nestjs/common';

import { DatabaseUnavailableError, SERVER_UNREACHABLE } from '../database/database-unavailable';
import { DomainError, DomainErrorKind } from './domain-error';
import { domainErrorBody, HttpExceptionFilter, RETRY_AFTER_SECONDS } from './http-exception.filter';
import { RequestValidationException } from './request-validation.exception';

/** The answer the filter sends for `exception`: status, headers set and body. */
function answerTo(exception: unknown, headersAlreadySet: Record<string, unknown> = {}) {
  const response = { status: jest.fn(), json: jest.fn(), setHeader: jest.fn(), getHeader: (name: string) => headersAlreadySet[name] };
  response.status.mockReturnValue(response);
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new HttpExceptionFilter().catch(exception, host);
  return {
    status: response.status.mock.calls[0][0] as number,
    headers: response.setHeader.mock.calls,
    body: response.json.mock.calls[0][0] as unknown,
  };
}

describe('HttpExceptionFilter', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    jest.spyOn(Logger.prototype, 'error').mockImplementation();
  });
  afterEach(() => jest.restoreAllMocks());

  it.each<[DomainErrorKind, HttpStatus]>([
    ['not-found', HttpStatus.NOT_FOUND],
    ['conflict', HttpStatus.CONFLICT],
    ['refused', HttpStatus.UNPROCESSABLE_ENTITY],
  ])("answers a domain error of kind '%s' with %d and its detail word for word", (kind, statusCode) => {
    const error = new DomainError(kind, "UBID 'x' is not found in table tracking.sms_transfers");

    expect(answerTo(error)).toEqual({ status: statusCode, headers: [], body: { statusCode, detail: error.detail } });
    expect(domainErrorBody(error)).toEqual({ statusCode, detail: error.detail });
  });

  it('answers a busy service (a domain error of kind unavailable) with 503, its detail and Retry-After, as a warning', () => {
    const error = new DomainError('unavailable', 'Too many receipts are waiting to be written. Retry later.');
    const statusCode = HttpStatus.SERVICE_UNAVAILABLE;

    expect(answerTo(error)).toEqual({
      status: statusCode,
      headers: [['Retry-After', RETRY_AFTER_SECONDS]],
      body: { statusCode, detail: error.detail },
    });
    expect(Logger.prototype.warn).toHaveBeenCalledWith(error.detail);
    expect(Logger.prototype.error).not.toHaveBeenCalled();
  });

  it('keeps the Retry-After the thrower of a busy error already set', () => {
    const error = new DomainError('unavailable', 'The service is busy. Retry later.');

    expect(answerTo(error, { 'Retry-After': 5 }).headers).toEqual([]);
  });

  it("keeps an HTTP exception's status and its detail", () => {
    expect(answerTo(new ConflictException({ detail: 'no' })).body).toEqual({ statusCode: 409, detail: 'no' });
  });

  it('keeps the field list of a validation failure', () => {
    const fields = [{ loc: ['query', 'limit'], msg: 'limit must not be greater than 5000', type: 'max' }];

    expect(answerTo(new RequestValidationException(fields)).body).toEqual({ statusCode: 422, detail: fields });
  });

  it('answers an unavailable database with 503 and Retry-After', () => {
    expect(answerTo(new DatabaseUnavailableError(SERVER_UNREACHABLE, new Error('ECONNREFUSED')))).toEqual({
      status: 503,
      headers: [['Retry-After', RETRY_AFTER_SECONDS]],
      body: { statusCode: 503, detail: `Database unavailable: ${SERVER_UNREACHABLE}. Retry later.` },
    });
  });

  it('tells when to retry a domain error that says so', () => {
    expect(answerTo(new DomainError('unavailable', 'Busy. Retry later.', 7))).toEqual({
      status: 503,
      headers: [['Retry-After', 7]],
      body: { statusCode: 503, detail: 'Busy. Retry later.' },
    });
  });

  it('answers anything else with a bare 500', () => {
    expect(answerTo(new Error('bug')).body).toEqual({ statusCode: 500, detail: 'Internal server error' });
  });
});
