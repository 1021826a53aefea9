/** A default name for this browser's device, like "Chromium on Linux", from what the browser says of itself. */

interface UaData {
  readonly brands?: ReadonlyArray<{ readonly brand: string }>;
  readonly platform?: string;
}

/** Known browser brands, most specific first (Chromium-based browsers also list "Chromium"). */
const BRANDS = ['Microsoft Edge', 'Opera', 'Brave', 'Google Chrome', 'Chromium'] as const;

function browserName(ua: string, data: UaData | undefined): string {
  const brands = new Set(data?.brands?.map((b) => b.brand) ?? []);
  for (const b of BRANDS) if (brands.has(b)) return b === 'Google Chrome' ? 'Chrome' : b;
  if (/Edg\//.test(ua)) return 'Microsoft Edge';
  if (/OPR\//.test(ua)) return 'Opera';
  if (/Firefox\//.test(ua)) return 'Firefox';
  if (/Chrom(e|ium)\//.test(ua)) return 'Chromium';
  if (/Safari\//.test(ua)) return 'Safari';
  return 'A browser';
}

function systemName(ua: string, data: UaData | undefined): string {
  const p = data?.platform ?? '';
  if (p !== '' && p !== 'Unknown') return p;
  if (/Android/.test(ua)) return 'Android';
  if (/iPhone|iPad|iPod/.test(ua)) return 'iOS';
  if (/Mac OS X|Macintosh/.test(ua)) return 'macOS';
  if (/Windows/.test(ua)) return 'Windows';
  if (/CrOS/.test(ua)) return 'ChromeOS';
  if (/Linux/.test(ua)) return 'Linux';
  return 'an unknown system';
}

/** "Browser on System", e.g. "Chromium on Linux" (at most 64 characters, as the SDK keeps). */
export function defaultDeviceName(nav: Navigator = navigator): string {
  const data = (nav as Navigator & { userAgentData?: UaData }).userAgentData;
  return `${browserName(nav.userAgent, data)} on ${systemName(nav.userAgent, data)}`.slice(0, 64);
}
