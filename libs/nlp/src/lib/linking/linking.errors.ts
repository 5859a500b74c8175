import { PipelineError } from '@storytelling/common';

/** The `known` state passed to linking is not one this version produced. */
export class LinkStateError extends PipelineError<'LINK_STATE_INVALID'> {
  constructor(message: string) {
    super('LINK_STATE_INVALID', message);
  }
}
