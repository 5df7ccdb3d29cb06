import { createItemFeature } from './feature.ts';

/** Entry of the deliberately worse bundle: the same detector, no tracker (a new id per detection). */
const feature = createItemFeature({ tracking: false });
export const init = feature.init;
export const process = feature.process;
export const dispose = feature.dispose;
