import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const env = { ...process.env, NX_DAEMON: 'false' };

/** Lints `code` as if it were the file at `filePath`, as `npm run lint` would. */
function lint(filePath: string, code: string): { exitCode: number; output: string } {
  const result = spawnSync('npx', ['eslint', '--stdin', '--stdin-filename', filePath, '--format', 'json'], {
    cwd: root,
    input: code,
    env,
    encoding: 'utf8',
  });
  const reports = JSON.parse(result.stdout || '[]') as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
  const messages = reports.flatMap((r) => r.messages).filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
  return { exitCode: result.status ?? 1, output: messages.map((m) => m.message).join('\n') };
}

describe('module boundaries (@nx/enforce-module-boundaries)', () => {
  beforeAll(() => {
    // The rule reads the cached project graph; compute it as `nx lint` would.
    execFileSync('npx', ['nx', 'show', 'projects'], { cwd: root, env, stdio: 'ignore' });
  }, 120_000);

  it('rejects a library importing an app', () => {
    const { exitCode, output } = lint(
      'libs/metadata-registry/src/lib/boundary-probe.ts',
      "import '../../../../apps/stage2-nlp/src/main';\n",
    );
    expect(exitCode).not.toBe(0);
    expect(output).not.toBe('');
  });

  it('rejects stage 5 importing stage 2 code', () => {
    const { exitCode, output } = lint('apps/stage5-graph/src/boundary-probe.ts', "import '@storytelling/nlp';\n");
    expect(exitCode).not.toBe(0);
    expect(output).toMatch(/scope:stage5/);
  });

  it('rejects a shared library importing a stage-scoped library', () => {
    const { exitCode, output } = lint('libs/metadata-registry/src/lib/boundary-probe.ts', "import '@storytelling/nlp';\n");
    expect(exitCode).not.toBe(0);
    expect(output).toMatch(/scope:shared/);
  });

  it('checks every module flavour: .mts, .cts, .mjs and .cjs files too', () => {
    for (const ext of ['mts', 'cts', 'mjs', 'cjs']) {
      const { exitCode, output } = lint(`apps/stage5-graph/src/boundary-probe.${ext}`, "import '@storytelling/nlp';\n");
      expect({ ext, exitCode: exitCode === 0 ? 0 : 1, rejected: /scope:stage5/.test(output) }).toEqual({ ext, exitCode: 1, rejected: true });
    }
  });

  it('rejects shipped code importing test helpers, which specs may import', () => {
    const probe = "import '@storytelling/test-utils';\n";
    expect(lint('libs/metadata-registry/src/lib/boundary-probe.ts', probe).exitCode).not.toBe(0);
    expect(lint('apps/stage5-graph/src/boundary-probe.ts', probe).exitCode).not.toBe(0);
    expect(lint('libs/metadata-registry/src/lib/boundary-probe.spec.ts', probe)).toEqual({ exitCode: 0, output: '' });
    expect(lint('apps/stage5-graph/test/boundary-probe.spec.ts', probe)).toEqual({ exitCode: 0, output: '' });
  });

  it('accepts stage 2 importing the shared registry and its own NLP library', () => {
    const { exitCode, output } = lint(
      'apps/stage2-nlp/src/boundary-probe.ts',
      "import '@storytelling/metadata-registry';\nimport '@storytelling/nlp';\n",
    );
    expect(output).toBe('');
    expect(exitCode).toBe(0);
  });
});
