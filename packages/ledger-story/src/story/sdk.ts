/**
 * The Story SDK, imported so that it cannot change the process's environment. Importing
 * `@story-protocol/core-sdk` runs `dotenv.config()`, which copies a `.env` file from the working
 * directory into `process.env`: a service would quietly gain variables (a stray
 * SIGNER_PRIVATE_KEY, say) from whatever folder it was started in. The SDK itself reads none, so
 * what the import adds is taken out again.
 */
import type { StoryClient } from '@story-protocol/core-sdk';

let loading: Promise<typeof StoryClient> | undefined;

/** `StoryClient`, with any variable the SDK's import added to `process.env` removed again. */
export function importStoryClient(): Promise<typeof StoryClient> {
  loading ??= (async () => {
    const before = new Set(Object.keys(process.env));
    const sdk = await import('@story-protocol/core-sdk');
    for (const key of Object.keys(process.env)) {
      if (!before.has(key)) delete process.env[key];
    }
    return sdk.StoryClient;
  })();
  return loading;
}
