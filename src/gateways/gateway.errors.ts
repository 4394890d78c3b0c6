import { ForbiddenException } from '@nestjs/common';

import { DomainError } from '../core/errors/domain-error';

/*
 * The refusals of a gateway's report (422): each names the gateway, the field and what it must be,
 * so that whoever configures the gateway can fix its URL from the log line alone.
 */

export function missingField(gateway: string, field: string): DomainError {
  return new DomainError('refused', `${gateway} report without \`${field}\``);
}

export function repeatedField(gateway: string, field: string): DomainError {
  return new DomainError('refused', `${gateway} report with \`${field}\` more than once`);
}

export function messageIdTooLong(gateway: string, field: string, maxLength: number): DomainError {
  return new DomainError('refused', `${gateway} report's \`${field}\` is longer than ${maxLength} characters`);
}

export function unknownValue(gateway: string, field: string, value: string, known: readonly string[]): DomainError {
  return new DomainError('refused', `${gateway} report's \`${field}\` '${value}' is none of ${known.join(', ')}`);
}

export function badDate(gateway: string, field: string, value: string, format: string): DomainError {
  return new DomainError('refused', `${gateway} report's \`${field}\` '${value}' is not a date as ${format}`);
}

/** A Twilio callback without `X-Twilio-Signature`. */
export function missingTwilioSignature(): ForbiddenException {
  return new ForbiddenException({ detail: 'Missing X-Twilio-Signature: Twilio status callbacks are authenticated by their signature' });
}

/** A Twilio callback whose signature is not the one TWILIO_AUTH_TOKEN gives for its URL and fields. */
export function invalidTwilioSignature(): ForbiddenException {
  return new ForbiddenException({
    detail:
      "Invalid X-Twilio-Signature: it does not match TWILIO_AUTH_TOKEN, this request's fields and its URL (behind a proxy, set PUBLIC_URL to the URL Twilio calls)",
  });
}

/** Twilio callbacks while the service has no TWILIO_AUTH_TOKEN: no signature can be checked, so none is accepted. */
export function twilioNotConfigured(): ForbiddenException {
  return new ForbiddenException({
    detail: 'Twilio status callbacks are off: set TWILIO_AUTH_TOKEN to the auth token of the Twilio account that sends them',
  });
}
