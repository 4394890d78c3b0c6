import { UniqueIdProperty } from '../../tracking/decorators';
import { UbidPathDto } from '../../tracking/path-params.dto';

/** `/{ubid}/documents/{uniqueId}`: the uniqueId percent-encoded, as any text can be one. */
export class UbidUniqueIdPathDto extends UbidPathDto {
  @UniqueIdProperty({ description: "The document's id within its batch, percent-encoded (`/` as `%2F`)." })
  uniqueId: string;
}
