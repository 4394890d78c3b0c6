import { readFileSync } from 'node:fs';

/**
 * Reads the JSON test data that sits beside a spec: `foo.spec.ts` loads `foo.json`, `foo.e2e-spec.ts` loads `foo.e2e.json`.
 * Call it with `__filename`, so each test file owns its own data.
 */
export function loadTestData<T>(specFile: string): T {
  const dataFile = specFile.replace(/[.-]spec\.ts$/, '.json');
  return JSON.parse(readFileSync(dataFile, 'utf8')) as T;
}
