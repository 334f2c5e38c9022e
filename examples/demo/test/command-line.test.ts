import { describe, expect, it } from 'vitest';
import { CommandLineError, HELP, parseDemoArgs } from '../src/command-line.ts';

describe('npm run demo: command line', () => {
  it('runs on the Story ledger unless --ledger devnet is given', () => {
    expect(parseDemoArgs([])).toEqual({
      once: false,
      noBuild: false,
      ledger: 'story',
      help: false,
    });
    expect(parseDemoArgs(['--ledger', 'devnet']).ledger).toBe('devnet');
    expect(parseDemoArgs(['--ledger=story']).ledger).toBe('story');
    expect(parseDemoArgs(['--ledger', 'DEVNET']).ledger).toBe('devnet');
  });

  it('reads the other options alongside it', () => {
    expect(
      parseDemoArgs(['--once', '--no-build', '--data-dir', '/tmp/d', '--ledger', 'devnet']),
    ).toEqual({ once: true, noBuild: true, dataDir: '/tmp/d', ledger: 'devnet', help: false });
    expect(parseDemoArgs(['-h']).help).toBe(true);
  });

  it('refuses an unknown ledger, a missing value and unknown options, saying what is wrong', () => {
    expect(() => parseDemoArgs(['--ledger', 'aeneid'])).toThrow(CommandLineError);
    expect(() => parseDemoArgs(['--ledger', 'aeneid'])).toThrow(
      '--ledger must be story or devnet, got "aeneid"',
    );
    expect(() => parseDemoArgs(['--ledger'])).toThrow(CommandLineError);
    expect(() => parseDemoArgs(['--ledgr', 'devnet'])).toThrow(/ledgr/);
    expect(() => parseDemoArgs(['devnet'])).toThrow(CommandLineError);
  });

  it('documents the flag and says the embedded chain has test contracts', () => {
    expect(HELP).toContain('--ledger LEDGER');
    expect(HELP).toMatch(/Story TEST contracts/);
    expect(HELP).toContain('devnet');
  });
});
