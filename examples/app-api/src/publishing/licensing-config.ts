/**
 * The license terms a story gets when its publish request names none (LICENSE_* variables).
 * Kept out of config.ts, which is long enough; the defaults are what the demo and the README
 * describe: Commercial Remix with 10 % of every derivative's revenue to the story, in WIP.
 */
import { ConfigError } from '../config-error.ts';
import type { LicensePreset } from '../domain.ts';
import type { LicensingConfig } from './licensing.ts';

const PRESETS: readonly LicensePreset[] = [
  'commercialRemix',
  'commercialUse',
  'nonCommercialSocialRemixing',
];

/** Story's wrapped IP token, the currency of Story's commercial license terms. */
export const WIP_TOKEN = '0x1514000000000000000000000000000000000000';

export const DEFAULT_LICENSING: LicensingConfig = {
  currencyToken: WIP_TOKEN,
  defaultLicense: { preset: 'commercialRemix', revSharePercent: 10 },
};

export function loadLicensingConfig(env: NodeJS.ProcessEnv): LicensingConfig {
  const preset = (env.LICENSE_PRESET || 'commercialRemix') as LicensePreset;
  if (!PRESETS.includes(preset))
    throw new ConfigError(`LICENSE_PRESET must be one of ${PRESETS.join(', ')}, got "${preset}"`);
  const share = env.LICENSE_REV_SHARE_PERCENT ?? '10';
  const revSharePercent = Number(share);
  // Story PIL counts shares in millionths of a percent: six decimals at most.
  if (!/^\d+(\.\d{1,6})?$/.test(share) || !(revSharePercent >= 0 && revSharePercent <= 100))
    throw new ConfigError(
      `LICENSE_REV_SHARE_PERCENT must be a percentage from 0 to 100, got "${share}"`,
    );
  const currencyToken = env.LICENSE_CURRENCY_TOKEN || WIP_TOKEN;
  if (!/^0x[0-9a-fA-F]{40}$/.test(currencyToken) || /^0x0{40}$/.test(currencyToken))
    throw new ConfigError(
      'LICENSE_CURRENCY_TOKEN must be an ERC-20 address (0x + 40 hex digits, not zero)',
    );
  return {
    currencyToken,
    defaultLicense: preset === 'commercialRemix' ? { preset, revSharePercent } : { preset },
  };
}
