import { z } from 'zod';
import { ConfigError } from './pipeline-error';

type Env = Record<string, string | undefined>;

/**
 * Parses environment variables once with a zod schema into a frozen, typed object.
 * An invalid value throws a ConfigError naming every offending variable (never its value,
 * which may be a secret).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      variables: result.error.issues.map((issue) => issue.path.join('.')),
    });
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

/** zod preprocessors for the usual env shapes ("true"/"1"/"yes", empty string = unset). */
export const envBoolean = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

export const envEmptyAsUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * An optional URL of one of `protocols` ("postgresql", "redis", ...): a URL of another scheme, or
 * a "host:port" without one, would pass a plain URL check and fail only later, at connection, with
 * an error that names neither the variable nor the cause.
 */
export const envUrl = (protocols: readonly string[]) =>
  z.preprocess(
    envEmptyAsUndefined,
    z
      .url({ message: `must be a ${protocols.join(' or ')}:// URL` })
      .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), { message: `must be a ${protocols.join(' or ')}:// URL` })
      .optional(),
  );

/** Longest delay a Node timer takes (about 24.8 days): a longer one is cut to 1 ms, so fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * A whole-number variable in [min, max], written in decimal digits, or `fallback` when unset.
 * Stricter than `z.coerce.number()`, which reads "0x32" as 50 and "1e3" as 1000.
 */
export const envInteger = (fallback: number, min: number, max: number) =>
  z.preprocess(
    envEmptyAsUndefined,
    z
      .string()
      .trim()
      .regex(/^[+-]?\d+$/, 'must be a whole number written in decimal digits')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .default(fallback),
  );
