import { ValidateBy, ValidationOptions } from 'class-validator';

/** A number's JSON text is at most this long (`-1.7976931348623157e+308`). */
const MAX_NUMBER_BYTES = 24;
/** One UTF-16 code unit becomes at most 6 bytes of JSON (`\u001f`); a surrogate pair only 4 for 2 units. */
const MAX_BYTES_PER_CODE_UNIT = 6;

/**
 * Whether `JSON.stringify(value)` takes at most `limit` UTF-8 bytes. An allocation-free walk
 * first adds up an upper bound and stops as soon as it exceeds the limit; only values that may
 * be over the limit are serialised to count exactly. Stringifying every document of a 5000-document
 * upload would cost ~10 ms; the walk, a fraction of that. The request body's depth is capped
 * before validation (RequestValidationPipe), so the recursion is shallow.
 */
export function fitsInJsonBytes(value: unknown, limit: number): boolean {
  if (upperBound(value, limit) <= limit) return true;
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') <= limit;
}

function upperBound(value: unknown, budget: number): number {
  if (typeof value === 'string') return 2 + MAX_BYTES_PER_CODE_UNIT * value.length;
  if (typeof value !== 'object' || value === null) return MAX_NUMBER_BYTES;
  let total = 2;
  for (const key in value) {
    total += upperBound(key, budget) + 2 + upperBound((value as Record<string, unknown>)[key], budget - total);
    if (total > budget) return total;
  }
  return total;
}

/** Limits the size of a free-form JSON value, counted as the UTF-8 bytes of its JSON text. */
export function MaxJsonBytes(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxJsonBytes',
      validator: {
        validate: (value) => fitsInJsonBytes(value, maxBytes),
        defaultMessage: (args) => `${args?.property} must not be larger than ${maxBytes} bytes as JSON`,
      },
    },
    options,
  );
}
