import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './pipeline-error';
import { withEnvFile } from './env-file';

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
});
