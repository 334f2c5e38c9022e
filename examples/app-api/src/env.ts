/**
 * Typed environment variables: a TypeBox schema of the variables (with their defaults and limits)
 * read by `env-schema`, which coerces, applies defaults and validates with Ajv. The Chain host
 * reads its variables the same way (examples/chain-server/src/env.ts).
 */
import envSchema from 'env-schema';
import type { Static, TObject } from 'typebox';
import { ConfigError } from './config-error.ts';

/**
 * Reads the variables `schema` declares from `env`. An empty variable counts as unset (its
 * default applies), as a shell's `NAME=` means. A variable that does not fit throws a
 * ConfigError naming it, saying what is wrong and what it got, e.g.
 * `PORT must be >= 0, got "-1"`.
 */
export function readEnv<S extends TObject>(schema: S, env: NodeJS.ProcessEnv): Static<S> {
  const set = Object.fromEntries(
    Object.keys(schema.properties)
      .filter((name) => env[name] !== undefined && env[name] !== '')
      .map((name) => [name, env[name]]),
  );
  try {
    // env-schema sets additionalProperties on the schema it is given: hand it a copy.
    return envSchema({ schema: { ...schema }, data: set, env: false }) as Static<S>;
  } catch (error) {
    const issues = (error as { errors?: { instancePath: string; message?: string }[] }).errors;
    if (!issues) throw error;
    const messages = issues.map(({ instancePath, message }) => {
      const name = instancePath.slice(1);
      return `${name} ${message}, got "${set[name]}"`;
    });
    throw new ConfigError(messages.join('; '));
  }
}

/**
 * Reads `schema`'s variables as `readEnv` does and answers them under the configuration's own
 * names: `names` maps each configuration key to the variable it is read from.
 */
export function readEnvAs<S extends TObject, N extends Record<string, keyof Static<S>>>(
  schema: S,
  env: NodeJS.ProcessEnv,
  names: N,
): { [K in keyof N]: Static<S>[N[K]] } {
  const values = readEnv(schema, env);
  return Object.fromEntries(
    Object.entries(names).map(([key, name]) => [key, values[name as keyof Static<S>]]),
  ) as { [K in keyof N]: Static<S>[N[K]] };
}
