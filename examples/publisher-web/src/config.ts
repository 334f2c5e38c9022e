/**
 * The page's runtime configuration, read from `/config.json` at start-up so one build runs
 * against any Chain service (serve.ts generates the file; `vite dev` serves one from the env).
 */
export interface PageConfig {
  /** Base URL of the Chain service, e.g. `http://localhost:50051`. Must allow this page's origin (CORS). */
  chainUrl: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export async function loadConfig(url = '/config.json'): Promise<PageConfig> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch (err) {
    throw new ConfigError(`Could not load ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) {
    throw new ConfigError(`Could not load ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError(`${url} is not valid JSON`);
  }
  return parseConfig(body, url);
}

export function parseConfig(body: unknown, source = 'config'): PageConfig {
  if (typeof body !== 'object' || body === null)
    throw new ConfigError(`${source} must be an object`);
  const { chainUrl, apiKey } = body as Record<string, unknown>;
  // Every visitor can read this file, so a key in it is everyone's key: people sign in instead.
  if (apiKey !== undefined)
    throw new ConfigError(
      `${source}: "apiKey" is no longer used: the page calls the Chain service with the signed-in person's token`,
    );
  if (typeof chainUrl !== 'string' || !/^https?:\/\/[^/]+/.test(chainUrl)) {
    throw new ConfigError(
      `${source}: "chainUrl" must be an http(s) URL, got ${JSON.stringify(chainUrl)}`,
    );
  }
  return { chainUrl: chainUrl.replace(/\/+$/, '') };
}
