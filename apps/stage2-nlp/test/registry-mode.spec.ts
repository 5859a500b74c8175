import { registryOn } from './support/registry-mode';

describe("the zero-regression checklist's two passes", () => {
  it('runs the pass its target names, whatever METADATA_REGISTRY_ENABLED the shell exports', () => {
    expect({ pass: process.env['STAGE2_TEST_REGISTRY'] ?? 'enabled', registryOn }).toEqual({
      pass: process.env['STAGE2_TEST_REGISTRY'] ?? 'enabled',
      registryOn: process.env['STAGE2_TEST_REGISTRY'] !== 'disabled',
    });
  });
});
