/** `{"a": {"a": … 1}}`, `levels` objects deep, built without recursion. */
export function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level += 1) value = { a: value };
  return value;
}

/** The same as JSON text, for values too deep for a recursive serializer (such as supertest's). */
export function nestedJson(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}
