import { EmbeddedDatabaseBusyError, RegistryWriteError } from './registry.errors';
import { classifyFailure, isRetryable } from './write-failures';

const coded = (code: string, message = `error ${code}`) => Object.assign(new Error(message), { code });

describe('classifyFailure', () => {
  it.each([
    ['22P02 invalid text', coded('22P02'), 'rejected'],
    ['23505 unique violation', coded('23505'), 'rejected'],
    ['54000 index row size exceeds the maximum (the same on every retry)', coded('54000', 'index row size 2712 exceeds btree version 4 maximum 2704'), 'rejected'],
    ['54001 statement too complex (the statement, not the data)', coded('54001'), 'failing'],
    ['a zod error', { issues: [] }, 'rejected'],
    ['a non-retryable RegistryWriteError', new RegistryWriteError('bad', { retryable: false }), 'rejected'],
    ['an embedded database folder another process holds', new EmbeddedDatabaseBusyError('.data/registry'), 'transient'],
    ['57P01 admin shutdown', coded('57P01'), 'transient'],
    ['40001 serialization failure', coded('40001'), 'transient'],
    ['53300 too many connections', coded('53300'), 'transient'],
    ['08006 connection failure', coded('08006'), 'transient'],
    ['55000 database not accepting connections', coded('55000'), 'transient'],
    ['25006 read-only transaction (a failover to a standby, maintenance)', coded('25006', 'cannot execute INSERT in a read-only transaction'), 'transient'],
    ['25P02 in failed transaction (the writer\'s own bug)', coded('25P02'), 'failing'],
    ['57P03 cannot connect now (the server starting up or in recovery)', coded('57P03'), 'transient'],
    ['ECONNREFUSED', coded('ECONNREFUSED'), 'transient'],
    ['EPIPE (five letters, not a SQLSTATE)', coded('EPIPE'), 'transient'],
    ['EBUSY', coded('EBUSY'), 'transient'],
    ['opossum breaker open', coded('EOPENBREAKER'), 'transient'],
    ['pg connection lost (no code)', new Error('Connection terminated unexpectedly'), 'transient'],
    ['pg pool closing (the process stops)', new Error('Cannot use a pool after calling end on the pool'), 'transient'],
    ['ioredis closed (no code)', new Error('Connection is closed.'), 'transient'],
    ['redis LOADING reply', new Error('LOADING Redis is loading the dataset in memory'), 'transient'],
    ['redis MISCONF reply (the snapshot cannot be saved)', new Error("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."), 'transient'],
    ['Prisma cannot reach the server', coded('P1001'), 'transient'],
    ['42703 undefined column', coded('42703'), 'failing'],
    ['42P01 undefined table', coded('42P01'), 'failing'],
    ['redis WRONGTYPE reply', new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), 'failing'],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')"), 'failing'],
  ])('%s → %s', (_name, error, kind) => {
    expect(classifyFailure(error)).toBe(kind);
  });

  it('looks through a RegistryWriteError to its cause, and through a Prisma error to its SQLSTATE', () => {
    expect(classifyFailure(new RegistryWriteError('x', { retryable: true, cause: coded('42703') }))).toBe('failing');
    expect(classifyFailure(new RegistryWriteError('x', { retryable: true, cause: coded('57P01') }))).toBe('transient');
    expect(classifyFailure(Object.assign(coded('P2010'), { meta: { code: '23505' } }))).toBe('rejected');
    expect(classifyFailure(Object.assign(coded('P2010'), { meta: { code: '42703' } }))).toBe('failing');
    expect(classifyFailure(Object.assign(coded('P2010'), { meta: { code: '25006' } }))).toBe('transient');
    const misconf = new Error("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. script: 6dee2053, on @user_script:1.");
    expect(classifyFailure(new RegistryWriteError('write_batch failed on Redis', { retryable: true, cause: misconf }))).toBe('transient');
  });

  it('keeps everything but rejected data retryable (the outbox keeps it)', () => {
    expect(isRetryable(coded('42703'))).toBe(true);
    expect(isRetryable(coded('23505'))).toBe(false);
  });
});
