import { resolve } from 'node:path';

/** The repository root, whether this file runs from `src/core` (ts-jest) or `dist/core` (built). */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');
