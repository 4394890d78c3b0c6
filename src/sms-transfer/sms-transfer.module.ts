import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { RetentionJob } from './retention.job';
import { SmsTransferController } from './sms-transfer.controller';
import { SmsTransferEntity } from './sms-transfer.entity';
import { SmsTransferRepository } from './sms-transfer.repository';
import { SmsTransferService } from './sms-transfer.service';
import { TypeOrmSmsTransferRepository } from './typeorm-sms-transfer.repository';

@Module({
  imports: [TypeOrmModule.forFeature([SmsTransferEntity])],
  controllers: [SmsTransferController],
  providers: [SmsTransferService, RetentionJob, { provide: SmsTransferRepository, useClass: TypeOrmSmsTransferRepository }],
  // The document routes answer 404 for an unknown transfer; the progress page lists transfers.
  exports: [SmsTransferRepository, SmsTransferService],
})
export class SmsTransferModule {}
