import { redactUrl } from './logger';

describe('redactUrl', () => {
  it('hides the password of a connection url', () => {
    expect(redactUrl('postgresql://metadata_service:s3cret@db:5432/pipeline_metadata')).toBe(
      'postgresql://metadata_service:***@db:5432/pipeline_metadata',
    );
  });
});
