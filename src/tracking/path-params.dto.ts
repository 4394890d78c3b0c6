import { StateProperty, UbidProperty } from './decorators';
import { TrackingState } from './tracking-state';

/** `/{ubid}/`: validated by the same pipe as bodies, so a bad id is a 422 at `['path', 'ubid']`. */
export class UbidPathDto {
  @UbidProperty()
  ubid: string;
}

/** `/{ubid}/{state}/` */
export class UbidStatePathDto extends UbidPathDto {
  @StateProperty({ description: 'The state to move to.' })
  state: TrackingState;
}
