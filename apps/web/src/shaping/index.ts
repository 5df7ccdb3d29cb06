export * from './format.ts';
export * from './palette.ts';
export * from './distributions.ts';
export * from './deltas.ts';
export * from './badges.ts';
export * from './trends.ts';
export * from './utilisation.ts';
export * from './features.ts';
