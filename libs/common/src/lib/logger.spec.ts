import pino from 'pino';
import { loggerOptions, redactUrl } from './logger';

describe('redactUrl', () => {
  it('hides the password of a connection url', () => {
    expect(redactUrl('postgresql://metadata_service:s3cret@db:5432/pipeline_metadata')).toBe(
      'postgresql://metadata_service:***@db:5432/pipeline_metadata',
    );
  });

  it('hides a password given as a query parameter (libpq takes ?password= and ?sslpassword=), keeping the other parameters', () => {
    const redacted = redactUrl('postgresql://metadata_service@db:5432/pipeline_metadata?sslmode=require&password=s3cret&sslpassword=k3y');
    expect(redacted).not.toContain('s3cret');
    expect(redacted).not.toContain('k3y');
    expect(redacted).toContain('sslmode=require');
    expect(redacted).toContain('password=***');
  });

  it('hides the tail of a password with an unencoded "#", and a password without a user', () => {
    expect(redactUrl('postgresql://u:p@ss#word@h/db')).not.toContain('word');
    expect(redactUrl('redis://:pw?x@h:6379/0')).not.toContain('pw');
  });

  it('hides a query password in a URL it cannot parse', () => {
    const redacted = redactUrl('postgresql://db:port/x?user=a&password=s3cret');
    expect(redacted).not.toContain('s3cret');
    expect(redacted).toContain('user=a');
  });
});

describe('loggerOptions (what createLogger logs with)', () => {
  it('keeps request URLs in access logs, and hides every other secret-named value whole (URLs hold secrets in many forms)', () => {
    const lines: string[] = [];
    const logger = pino(loggerOptions('test'), { write: (line: string) => void lines.push(line) });
    logger.info(
      {
        req: { method: 'GET', url: '/batches/42?limit=5' },
        databaseUrl: 'host=db user=app password=s3cret dbname=x',
        password: 's3cret',
        config: { url: 'https://es:9200/_bulk?api_key=s3cret' },
        url: 'postgresql://app:5432#s3cret@db/x',
      },
      'request',
    );
    const entry = JSON.parse(lines[0]);
    expect(entry.req).toEqual({ method: 'GET', url: '/batches/42?limit=5' });
    expect([entry.databaseUrl, entry.password, entry.config.url, entry.url]).toEqual(['[redacted]', '[redacted]', '[redacted]', '[redacted]']);
    expect(lines[0]).not.toContain('s3cret');
  });
});
