import pino from 'pino';
import { loggerOptions, redactUrl } from './logger';

describe('redactUrl', () => {
  it('hides the password of a connection url', () => {
    expect(redactUrl('postgresql://metadata_service:s3cret@db:5432/pipeline_metadata')).toBe(
      'postgresql://metadata_service:***@db:5432/pipeline_metadata',
    );
  });
});

describe('loggerOptions (what createLogger logs with)', () => {
  it('keeps request URLs in access logs, and hides passwords whole or inside connection URLs', () => {
    const lines: string[] = [];
    const logger = pino(loggerOptions('test'), { write: (line: string) => void lines.push(line) });
    logger.info({ req: { method: 'GET', url: '/batches/42?limit=5' }, databaseUrl: 'postgresql://app:s3cret@db:5432/x', password: 's3cret', config: { url: 'redis://:pw@cache:6379/0' } }, 'request');
    const entry = JSON.parse(lines[0]);
    expect(entry.req).toEqual({ method: 'GET', url: '/batches/42?limit=5' });
    expect(entry.databaseUrl).toBe('postgresql://app:***@db:5432/x');
    expect(entry.password).toBe('[redacted]');
    expect(entry.config.url).toBe('redis://:***@cache:6379/0');
    expect(lines[0]).not.toContain('s3cret');
    expect(lines[0]).not.toContain(':pw@');
  });
});
