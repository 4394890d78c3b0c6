import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * How deeply a free-form JSON value nests, counted without recursion so that a hostile
 * 100,000-level value cannot overflow the stack. `{}` and `[]` are depth 1, a scalar 0.
 */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Limits the nesting of a free-form JSON value. The databases cap it too (SQLite's JSON
 * functions refuse more than 1000 levels), and a clear 422 beats a failed statement.
 */
export function MaxJsonDepth(maxDepth: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxJsonDepth',
      constraints: [maxDepth],
      validator: {
        validate: (value) => jsonDepth(value) <= maxDepth,
        defaultMessage: (args) => `${args?.property} must not be nested more than ${maxDepth} levels deep`,
      },
    },
    options,
  );
}
