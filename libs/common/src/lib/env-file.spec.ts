import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './pipeline-error';
import { startupErrorMessage, withEnvFile } from './env-file';

describe('withEnvFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'env-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("adds the file's variables under the environment's: a variable set in the environment wins", () => {
    const file = join(dir, '.env');
    writeFileSync(file, '# the design\'s .env\nMETADATA_REGISTRY_ENABLED=false\nPOSTGRES_HOST=postgres\nMETADATA_SERVICE_PASSWORD="from file"\n');
    const env = withEnvFile({ POSTGRES_HOST: 'db.internal', PATH: '/bin' }, file);
    expect(env).toEqual({
      METADATA_REGISTRY_ENABLED: 'false',
      POSTGRES_HOST: 'db.internal',
      METADATA_SERVICE_PASSWORD: 'from file',
      PATH: '/bin',
    });
  });

  it('adds nothing when the file does not exist, and names a file it cannot read', () => {
    const env = { A: '1' };
    expect(withEnvFile(env, join(dir, 'missing.env'))).toBe(env);
    expect(() => withEnvFile(env, dir)).toThrow(ConfigError);
    expect(() => withEnvFile(env, dir)).toThrow(`Cannot read the env file ${dir}`);
  });

  describe('startupErrorMessage', () => {
    const invalid = new ConfigError('Invalid configuration:\n  - STAGE2_MAX_BODY_BYTES: must be a whole number\n  - LOG_LEVEL: invalid', {
      variables: ['STAGE2_MAX_BODY_BYTES', 'LOG_LEVEL'],
    });

    it('names the env files that set an invalid variable to the value in effect, not one the environment overrides', () => {
      const app = join(dir, 'app.env');
      const root = join(dir, 'root.env');
      writeFileSync(app, 'STAGE2_MAX_BODY_BYTES=100MB\nLOG_LEVEL=loud\n');
      writeFileSync(root, 'LOG_LEVEL=loud\nOTHER=1\n');
      expect(startupErrorMessage(invalid, { LOG_LEVEL: 'quiet' }, [app, root])).toBe(`${invalid.message}\n  (set in ${app}: STAGE2_MAX_BODY_BYTES)`);
      // Nx loads a project's .env into its tasks' environment: the same value counts as the file's.
      expect(startupErrorMessage(invalid, { STAGE2_MAX_BODY_BYTES: '100MB' }, [join(dir, 'none.env'), root, app])).toBe(
        `${invalid.message}\n  (set in ${root}: LOG_LEVEL)\n  (set in ${app}: STAGE2_MAX_BODY_BYTES)`,
      );
    });

    it('is the plain message without a file, without a variable from it, or for other errors', () => {
      const file = join(dir, '.env');
      expect(startupErrorMessage(invalid, {}, [file])).toBe(invalid.message);
      writeFileSync(file, 'OTHER=1\n');
      expect(startupErrorMessage(invalid, {}, [file])).toBe(invalid.message);
      expect(startupErrorMessage(new Error('port in use'), {}, [file])).toBe('port in use');
    });
  });
});
