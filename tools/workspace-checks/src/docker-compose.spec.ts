import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeEnvironment, readComposeFile, REPOSITORY_ROOT } from '@storytelling/test-utils';

// No Docker engine here: the stack is checked as data. Each app's own spec checks that the
// variables of its service match its configuration schema.
describe('docker-compose.yml', () => {
  const compose = readComposeFile();

  it('runs every service the pipeline needs', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['elasticsearch', 'migrate-registry', 'migrate-stages', 'postgres', 'redis-cache', 'stage2-nlp', 'stage2-nlp-2', 'stage5-graph', 'stages-postgres'].sort(),
    );
  });

  it('pins every image to a version', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/:\d+(\.\d+)+[\w.-]*$/) });
    }
  });

  const initScript = (service: string): string => {
    const init = (compose.services[service].volumes ?? []).find((v) => v.includes('docker-entrypoint-initdb.d'));
    expect(init).toBeDefined();
    const hostPath = (init as string).split(':')[0];
    expect(existsSync(join(REPOSITORY_ROOT, hostPath))).toBe(true);
    return readFileSync(join(REPOSITORY_ROOT, hostPath), 'utf8');
  };

  it("bootstraps the registry's PostgreSQL from prisma/ on a fresh volume, and the stages' own databases on a server of their own", () => {
    expect(compose.services['postgres'].volumes).toContain('./prisma:/bootstrap:ro');
    expect(existsSync(join(REPOSITORY_ROOT, 'prisma', 'bootstrap.sql'))).toBe(true);
    expect(initScript('postgres')).toContain('/bootstrap/bootstrap.sql');
    // The stages' own databases and roles, run by the stages' server's init script from this mount.
    const stages = (compose.services['stages-postgres'].volumes ?? []).find((v) => v.endsWith(':/bootstrap-stages/stage-databases.sql:ro'));
    expect(stages).toBeDefined();
    expect(existsSync(join(REPOSITORY_ROOT, (stages as string).split(':')[0]))).toBe(true);
    expect(initScript('stages-postgres')).toContain('/bootstrap-stages/stage-databases.sql');
  });

  it("keeps the stages' own databases off the registry's server, so the design's degradation test stops the registry alone", () => {
    // The design: `docker stop storytelling-postgres`, then Stage 2 goes on with its own stores.
    expect(compose.services['postgres'].container_name).toBe('storytelling-postgres');
    const hostOf = (url: string | undefined) => (url ? new URL(url).hostname : undefined);
    for (const name of ['migrate-registry', 'stage2-nlp', 'stage2-nlp-2', 'stage5-graph']) {
      const env = composeEnvironment(compose.services[name]);
      const registryHost = env['POSTGRES_HOST'] ?? hostOf(env['DATABASE_URL']);
      expect({ name, registryHost }).toEqual({ name, registryHost: 'postgres' });
      for (const own of ['STAGE2_DATABASE_URL', 'STAGE5_DATABASE_URL']) {
        if (env[own] !== undefined) expect({ name, own, host: hostOf(env[own]) }).toEqual({ name, own, host: 'stages-postgres' });
      }
    }
  });

  it("connects each stage to its own database as that database's owner role, never as the admin", () => {
    const roleOf = (url: string | undefined) => (url ? new URL(url).username : undefined);
    for (const name of ['migrate-stages', 'stage2-nlp', 'stage2-nlp-2', 'stage5-graph']) {
      const env = composeEnvironment(compose.services[name]);
      if (name !== 'stage5-graph') expect({ name, role: roleOf(env['STAGE2_DATABASE_URL']) }).toEqual({ name, role: 'stage2_app' });
      if (!name.startsWith('stage2')) expect({ name, role: roleOf(env['STAGE5_DATABASE_URL']) }).toEqual({ name, role: 'stage5_app' });
    }
    const holders = Object.entries(compose.services)
      .filter(([, service]) => JSON.stringify(service.environment ?? {}).includes('POSTGRES_ADMIN_PASSWORD'))
      .map(([name]) => name);
    expect(holders).toEqual(['postgres', 'stages-postgres']);
  });

  it("runs the Elasticsearch major version of Stage 2's client (a 9.x client is refused by an 8.x server)", () => {
    const pkg = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const clientMajor = /(\d+)\./.exec(pkg.dependencies['@elastic/elasticsearch'] ?? '')?.[1];
    const serverMajor = /:(\d+)\./.exec(compose.services['elasticsearch'].image ?? '')?.[1];
    expect(clientMajor).toBeDefined();
    expect(serverMajor).toBe(clientMajor);
  });

  it("gives the services' data folder to the user they run as, so the named volumes mounted there are writable", () => {
    const dockerfile = readFileSync(join(REPOSITORY_ROOT, (compose.services['stage2-nlp'].build as { dockerfile: string }).dockerfile), 'utf8');
    const user = /^USER (\S+)/m.exec(dockerfile)?.[1];
    expect(user).toBe('node');
    for (const name of ['stage2-nlp', 'stage2-nlp-2', 'stage5-graph']) {
      for (const target of (compose.services[name].volumes ?? []).map((v) => v.split(':')[1])) {
        expect({ name, target, owned: dockerfile.includes(`chown ${user}:${user} ${target}`) }).toEqual({ name, target, owned: true });
      }
    }
  });

  it('runs only scripts and files that exist', () => {
    const dockerfile = (compose.services['stage2-nlp'].build as { dockerfile: string }).dockerfile;
    expect(existsSync(join(REPOSITORY_ROOT, dockerfile))).toBe(true);
    const commands = Object.values(compose.services).flatMap((s) => (Array.isArray(s.command) ? s.command : [s.command ?? '']));
    const scripts = commands.join(' ').match(/[\w/.-]+\.ts/g) ?? [];
    expect(scripts.length).toBeGreaterThanOrEqual(5);
    for (const script of scripts) expect({ script, exists: existsSync(join(REPOSITORY_ROOT, script)) }).toEqual({ script, exists: true });
  });

  it('runs each app as node itself, so the SIGTERM of a stop reaches it (npx or a shell would not pass it on)', () => {
    for (const app of ['stage2-nlp', 'stage2-nlp-2', 'stage5-graph']) {
      const command = compose.services[app].command;
      expect({ app, program: Array.isArray(command) ? command[0] : command }).toEqual({ app, program: 'node' });
    }
  });

  it('starts the apps only after the migrations of the databases they need succeeded', () => {
    for (const app of ['stage2-nlp', 'stage2-nlp-2', 'stage5-graph']) {
      expect(compose.services[app].depends_on).toMatchObject({ 'migrate-stages': { condition: 'service_completed_successfully' } });
    }
    expect(compose.services['stage5-graph'].depends_on).toMatchObject({ 'migrate-registry': { condition: 'service_completed_successfully' } });
  });

  it("starts Stage 2 without the registry's server (the design: the registry down, the pipeline goes on; its writes wait in the outbox)", () => {
    /** Every service `name` waits for, directly or through the services it waits for. */
    const waitsFor = (name: string, seen = new Set<string>()): Set<string> => {
      for (const dependency of Object.keys(compose.services[name].depends_on ?? {})) {
        if (!seen.has(dependency)) waitsFor(dependency, seen.add(dependency));
      }
      return seen;
    };
    for (const app of ['stage2-nlp', 'stage2-nlp-2']) {
      const dependencies = [...waitsFor(app)].sort();
      expect({ app, dependencies }).toEqual({ app, dependencies: expect.not.arrayContaining(['postgres']) });
      expect({ app, dependencies }).toEqual({ app, dependencies: expect.not.arrayContaining(['migrate-registry']) });
    }
    // The registry's migration runs again until its server answers.
    expect(compose.services['migrate-registry'].restart).toBe('on-failure');
  });

  it("gives the registry writer's password only to the database, the migrations and Stage 2", () => {
    const holders = Object.entries(compose.services)
      .filter(([, service]) => JSON.stringify(service.environment ?? {}).includes('METADATA_SERVICE_PASSWORD'))
      .map(([name]) => name)
      .sort();
    expect(holders).toEqual(['migrate-registry', 'postgres', 'stage2-nlp', 'stage2-nlp-2']);
    const stage5 = composeEnvironment(compose.services['stage5-graph']);
    expect(stage5['DATABASE_URL']).toMatch(/^postgresql:\/\/stage5_reader:/);
    expect(Object.keys(stage5).filter((name) => /^POSTGRES_|^METADATA_SERVICE_PASSWORD$/.test(name))).toEqual([]);
  });

  it('keeps every registry outbox on a named volume of its own, so a restarted container finds it', () => {
    const writers = Object.entries(compose.services).filter(([, service]) => service.environment?.['METADATA_DATA_DIR'] !== undefined);
    const outboxVolumes = writers
      .filter(([name]) => name.startsWith('stage2-nlp'))
      .map(([name, service]) => {
        const dataDir = String(service.environment?.['METADATA_DATA_DIR']);
        const mount = (service.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target !== undefined && dataDir.startsWith(target));
        expect({ name, mount: mount?.length }).toEqual({ name, mount: 2 });
        return (mount as string[])[0];
      });
    expect(outboxVolumes).toHaveLength(2);
    expect(new Set(outboxVolumes).size).toBe(outboxVolumes.length);
    for (const volume of outboxVolumes) expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    for (const [name, service] of Object.entries(compose.services)) {
      const anonymous = (service.volumes ?? []).filter((v) => !v.includes(':'));
      expect({ name, anonymous }).toEqual({ name, anonymous: [] });
      expect({ name, replicas: (service['deploy'] as { replicas?: number } | undefined)?.replicas ?? 1 }).toEqual({ name, replicas: 1 });
    }
  });

  it('publishes the servers, which have known default passwords or none, on the loopback only, at ports one can move', () => {
    for (const name of ['postgres', 'stages-postgres', 'redis-cache', 'elasticsearch']) {
      const ports = (compose.services[name]['ports'] ?? []) as string[];
      expect({ name, ports }).toEqual({ name, ports: [expect.stringMatching(/^127\.0\.0\.1:\$\{PUBLISH_[A-Z_]+_PORT:-\d+\}:\d+$/)] });
    }
  });
});
