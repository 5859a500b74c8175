import { idProblem, MAX_ID_BYTES } from './storable-id';

describe('idProblem', () => {
  it('accepts ordinary ids, and ids of exactly the byte limit', () => {
    expect(idProblem('news-2024-001')).toBeNull();
    expect(idProblem('é'.repeat(MAX_ID_BYTES / 2))).toBeNull();
    expect(idProblem('😀'.repeat(MAX_ID_BYTES / 4))).toBeNull();
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(idProblem('x'.repeat(MAX_ID_BYTES + 1))).toMatch(/longer than 1024 bytes/);
    // 300 characters, 1,200 bytes.
    expect(idProblem('😀'.repeat(150) + 'é'.repeat(300))).toMatch(/longer than 1024 bytes/);
    expect(idProblem('é'.repeat(300), 512)).toMatch(/longer than 512 bytes/);
  });

  it('refuses lone surrogates, which two ids could share once stored', () => {
    expect(idProblem('news-\ud83d')).toMatch(/lone UTF-16 surrogate/);
    expect(idProblem('\ude00news')).toMatch(/lone UTF-16 surrogate/);
    expect(idProblem('news-\ud83d\ude00')).toBeNull();
  });
});
