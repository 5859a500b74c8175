import { z } from 'zod';
import { ConfigError } from './pipeline-error';
import { envBoolean, loadConfig } from './config-loader';

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
