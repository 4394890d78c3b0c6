import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Request } from 'express';

import { AppConfig } from '../core/config/app-config';
import { invalidTwilioSignature, missingTwilioSignature, twilioNotConfigured } from './gateway.errors';
import { GatewayFields } from './gateway-fields';
import { isTwilioSignature } from './twilio-signature';

export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/**
 * Lets in a Twilio callback only with the signature TWILIO_AUTH_TOKEN gives its URL and form
 * fields (403 otherwise). A guard, once the form is read: the signature covers the fields. The
 * URL is the one Twilio called: PUBLIC_URL followed by the request's path and query, or, without
 * PUBLIC_URL, the scheme, `Host` and path the service received. X-Forwarded-* headers are not
 * trusted: anyone may send them, and PUBLIC_URL says the same once, in the configuration.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const { twilioAuthToken, publicUrl } = this.config.gateways;
    if (twilioAuthToken === null) throw twilioNotConfigured();
    const signature = req.headers[TWILIO_SIGNATURE_HEADER];
    if (typeof signature !== 'string' || signature === '') throw missingTwilioSignature();
    const url = `${publicUrl ?? `${req.protocol}://${req.headers.host ?? ''}`}${req.originalUrl}`;
    const fields = (req.body ?? {}) as GatewayFields;
    if (!isTwilioSignature(signature, twilioAuthToken, url, fields)) throw invalidTwilioSignature();
    return true;
  }
}
