import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

// The Story SDK runs dotenv.config() when imported, copying a `.env` file from the working
// directory into process.env. A service using the ledger must not gain variables that way.

it('a .env file in the working directory does not reach process.env through the Story SDK', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-story-dotenv-'));
  try {
    writeFileSync(join(dir, '.env'), 'MYSTIRA_DOTENV_PROBE=from-dotenv\n');
    const child = fileURLToPath(new URL('./support/dotenv-child.ts', import.meta.url));
    // The child runs in the temp folder, so tsx is passed by path, not resolved from there.
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, child], {
      cwd: dir,
      timeout: 60_000,
      env: { ...process.env, MYSTIRA_DOTENV_PROBE: undefined },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ probe: null });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
