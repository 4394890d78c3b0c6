import { readFileSync } from 'node:fs';

import * as dataSourceOptions from './core/database/data-source-options';
import { OPENAPI_FILE, renderOpenApiDocument } from './write-openapi';

type Media = { example?: unknown; examples?: unknown };
type Operation = {
  operationId: string;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
};

describe('docs/openapi.json', () => {
  let rendered: string;
  let openDatabase: jest.SpyInstance;

  beforeAll(async () => {
    openDatabase = jest.spyOn(dataSourceOptions, 'initializeDataSource');
    rendered = await renderOpenApiDocument();
  });
  afterAll(() => openDatabase.mockRestore());

  it('is the document the code produces: run `npm run openapi` and commit docs/openapi.json when this fails', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(rendered);
  });

  it('is built without opening a database', () => {
    expect(openDatabase).not.toHaveBeenCalled();
  });

  it('has an example on every request body and on every response with a body', () => {
    const operations = Object.values(JSON.parse(rendered).paths as Record<string, Record<string, Operation>>).flatMap((path) =>
      Object.values(path),
    );
    const bodies = operations.flatMap(({ operationId, requestBody, responses }) => [
      ...Object.values(requestBody?.content ?? {}).map((media) => ({ at: `${operationId} request`, media })),
      ...Object.entries(responses).flatMap(([status, { content }]) =>
        Object.values(content ?? {}).map((media) => ({ at: `${operationId} ${status}`, media })),
      ),
    ]);

    expect(bodies.length).toBeGreaterThan(operations.length);
    expect(bodies.filter(({ media }) => media.example === undefined && media.examples === undefined).map(({ at }) => at)).toEqual([]);
  });
});
