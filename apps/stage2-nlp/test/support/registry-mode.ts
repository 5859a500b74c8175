import { envBoolean } from '@storytelling/common';

/**
 * The design's zero-regression checklist runs all of Stage 2's tests twice: with the registry
 * disabled (`METADATA_REGISTRY_ENABLED=false`, the `test-registry-disabled` target) and enabled
 * (`test`). Every test runtime and process a test starts takes the suite's mode; checks of the
 * registry's own records apply only when it is on. A test that sets the variable itself (one
 * comparing both modes) keeps its own value.
 */
// Read as the registry's own schema reads it ("false", "0", "no", "off" turn it off).
export const registryOn = envBoolean(process.env['METADATA_REGISTRY_ENABLED']) !== false;

/** The registry's switch as the suite runs it, for a runtime's or a child process's environment. */
export const registryModeEnv: Record<string, string> = { METADATA_REGISTRY_ENABLED: registryOn ? 'true' : 'false' };
