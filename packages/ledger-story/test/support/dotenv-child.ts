// Run by dotenv.test.ts with a `.env` file in its working directory: starts a StoryLedger (which
// imports the Story SDK) and prints whether the file's variable reached process.env.
import { startEmbeddedChain } from '../../src/embedded.js';
import { storyLedger } from '../../src/index.js';

const chain = await startEmbeddedChain();
const ledger = await storyLedger({
  provider: chain.provider,
  signer: chain.accounts[0]!.privateKey,
});
ledger.close();
await chain.close();
process.stdout.write(`${JSON.stringify({ probe: process.env.MYSTIRA_DOTENV_PROBE ?? null })}\n`);
