import { parse } from 'pg-connection-string';
import { ConfigError } from '@storytelling/common';
import { loadRegistryConfig } from './registry.config';

const databaseOf = (name: string): string | null | undefined => {
  const config = loadRegistryConfig({ POSTGRES_HOST: 'db', POSTGRES_DB: name, METADATA_SERVICE_PASSWORD: 'p' });
  if (config.database.kind !== 'postgresql') throw new Error('expected a server');
  return parse(config.database.url).database;
};

describe('POSTGRES_DB in the connection URL', () => {
  it('names exactly the database given, as node-postgres reads the URL', () => {
    // Before, "%" made a URL node-postgres could not decode, and the others reached it as written.
    for (const name of ['pipeline_metadata', 'metadata prod', 'a%b', '100%25', 'a/b', 'ünïcødé', 'a:b@c', 'x&y=z+w$v,u;t', 'a"b\'c']) {
      expect(databaseOf(name)).toBe(name);
    }
  });

  it('stops start-up, naming POSTGRES_DB, for a name no URL can carry', () => {
    // Before, "metadata#prod" silently connected to the database "metadata".
    for (const name of ['metadata#prod', 'meta?data', 'lone\ud800']) {
      expect(() => loadRegistryConfig({ POSTGRES_HOST: 'db', POSTGRES_DB: name })).toThrow(ConfigError);
      expect(() => loadRegistryConfig({ POSTGRES_HOST: 'db', POSTGRES_DB: name })).toThrow(/POSTGRES_DB/);
    }
  });
});
