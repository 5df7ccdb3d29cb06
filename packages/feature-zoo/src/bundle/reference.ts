import { createItemFeature } from './feature.ts';

/** Entry of the reference feature bundle: item detector + IoU tracker. */
const feature = createItemFeature({ tracking: true });
export const init = feature.init;
export const process = feature.process;
export const dispose = feature.dispose;
