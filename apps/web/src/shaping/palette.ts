/**
 * Okabe & Ito (2008) colours, distinguishable with the common colour-vision deficiencies; every
 * chart also separates series by position, label or symbol, never by colour alone.
 */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const;

/** candidate and baseline keep the same colours on every page */
export const ROLE_COLOURS = { candidate: '#0072B2', baseline: '#E69F00' } as const;

/** verdict colours paired with a symbol in every badge */
export const VERDICT_STYLE = {
  pass: { colour: '#009E73', symbol: '✓' },
  fail: { colour: '#D55E00', symbol: '✗' },
  inconclusive: { colour: '#6b6b6b', symbol: '?' },
  skipped: { colour: '#9a9a9a', symbol: '–' },
} as const;
