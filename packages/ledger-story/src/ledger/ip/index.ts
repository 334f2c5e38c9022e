export { StoryIpLedger } from './story-ip-ledger.js';
