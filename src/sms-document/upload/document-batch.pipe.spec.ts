import 'reflect-metadata';

import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';

import { SmsDocumentController } from '../sms-document.controller';
import { UPSERT_DOCUMENTS_ROUTE } from './document-batch.pipe';

// The body parser hands this route's bodies over as bytes, for DocumentBatchPipe: on any other route
// the upload would be parsed on the event loop, and the pipe would get an object instead of bytes.
describe('UPSERT_DOCUMENTS_ROUTE', () => {
  it('is the route of SmsDocumentController.upsertDocuments, as Nest maps it', () => {
    const handler = SmsDocumentController.prototype.upsertDocuments;
    const handlerPath = Reflect.getMetadata(PATH_METADATA, handler) as string;

    expect(UPSERT_DOCUMENTS_ROUTE).toEqual({
      method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod],
      path: `/${Reflect.getMetadata(PATH_METADATA, SmsDocumentController) as string}${handlerPath === '/' ? '' : handlerPath}`,
    });
  });
});
