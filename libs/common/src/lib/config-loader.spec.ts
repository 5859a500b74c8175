import { z } from 'zod';
import { ConfigError } from './pipeline-error';
import { envBoolean, envInteger, loadConfig, MAX_TIMER_MS } from './config-loader';

const schema = z.object({
  FLAG: z.preprocess(envBoolean, z.boolean()).default(false),
  PORT: z.coerce.number().int().min(1).max(65535).default(80),
});

describe('loadConfig', () => {
  it('parses into a frozen typed object', () => {
    const config = loadConfig(schema, { FLAG: 'yes', PORT: '8080' });
    expect(config).toEqual({ FLAG: true, PORT: 8080 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names the offending variable and not its value', () => {
    let thrown: unknown;
    try {
      loadConfig(schema, { FLAG: 'maybe-secret', PORT: '70000' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as ConfigError).message;
    expect(message).toContain('FLAG');
    expect(message).toContain('PORT');
    expect(message).not.toContain('maybe-secret');
    expect((thrown as ConfigError).code).toBe('CONFIG_INVALID');
  });
});

describe('envInteger', () => {
  const ints = z.object({ N: envInteger(7, 0, 100), TIMEOUT_MS: envInteger(10, 1, MAX_TIMER_MS) });

  it('reads decimal digits, and the fallback when unset or blank', () => {
    expect(loadConfig(ints, { N: ' 42 ', TIMEOUT_MS: '2147483647' })).toEqual({ N: 42, TIMEOUT_MS: MAX_TIMER_MS });
    expect(loadConfig(ints, { N: '', TIMEOUT_MS: undefined })).toEqual({ N: 7, TIMEOUT_MS: 10 });
  });

  it.each(['0x32', '1e1', '12.5', 'ten', '101', '-1'])('refuses N=%s, naming N', (value) => {
    expect(() => loadConfig(ints, { N: value })).toThrow(/N: /);
  });

  it('refuses a delay no timer can wait (Node would fire it at once)', () => {
    expect(() => loadConfig(ints, { TIMEOUT_MS: '3000000000' })).toThrow(/TIMEOUT_MS: /);
  });
});
