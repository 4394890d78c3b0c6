import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvalidSubmissionError, MessageSubmission, readSubmissionsFile } from './submissions-file';

describe('readSubmissionsFile', () => {
  let folder: string;
  beforeAll(() => (folder = mkdtempSync(join(tmpdir(), 'tracking-submissions-'))));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  async function read(text: string): Promise<MessageSubmission[]> {
    const file = join(folder, 'ids.csv');
    writeFileSync(file, text);
    const submissions: MessageSubmission[] = [];
    for await (const submission of readSubmissionsFile(file)) submissions.push(submission);
    return submissions;
  }

  it('reads uniqueId,messageId lines, skipping a header and blank lines, spaces around values ignored', async () => {
    expect(await read('uniqueId,messageId\r\n0000000001,16fd2706-8baf-433b-82eb-8c7fada847da\r\n\n 0000000002 , SM1f0e2c3b\n')).toEqual([
      { uniqueId: '0000000001', messageId: '16fd2706-8baf-433b-82eb-8c7fada847da' },
      { uniqueId: '0000000002', messageId: 'SM1f0e2c3b' },
    ]);
  });

  it('takes a header only as the first line', async () => {
    await expect(read('a,1\nuniqueId,messageId\n')).resolves.toEqual([
      { uniqueId: 'a', messageId: '1' },
      { uniqueId: 'uniqueId', messageId: 'messageId' },
    ]);
  });

  it.each([
    ['a;1', 'line 1: expected "uniqueId,messageId", found 1 field(s)'],
    ['a,1\nb,2,3', 'line 2: expected "uniqueId,messageId", found 3 field(s)'],
    [',1', 'line 1: the uniqueId must have 1 to 10 characters, not 0'],
    ['00000000001,1', 'line 1: the uniqueId must have 1 to 10 characters, not 11'],
    ['a,', 'line 1: the messageId must be 1 to 64 printable ASCII characters without spaces'],
    ['a,two words', 'line 1: the messageId must be 1 to 64 printable ASCII characters without spaces'],
    [`a,${'x'.repeat(65)}`, 'line 1: the messageId must be 1 to 64 printable ASCII characters without spaces'],
  ])('refuses %j, naming the line', async (text, message) => {
    const failure = read(text);

    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toBeInstanceOf(InvalidSubmissionError);
  });
});
