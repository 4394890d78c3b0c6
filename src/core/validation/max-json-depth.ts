import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * Whether a JSON value nests more than `limit` levels (`{}` and `[]` are one level, a scalar none).
 * It recurses at most `limit + 1` deep, so with the small limits it is meant for a hostile
 * 100,000-level value cannot overflow the stack; and it allocates nothing, as it runs on every
 * document of every upload.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  for (const key in value) {
    if (nestsDeeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  }
  return false;
}

/**
 * Limits the nesting of a free-form JSON value. The databases cap it too (SQLite's JSON
 * functions refuse more than 1000 levels), and a clear 422 beats a failed statement.
 */
export function MaxJsonDepth(maxDepth: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxJsonDepth',
      validator: {
        validate: (value) => !nestsDeeperThan(value, maxDepth),
        defaultMessage: (args) => `${args?.property} must not be nested more than ${maxDepth} levels deep`,
      },
    },
    options,
  );
}
