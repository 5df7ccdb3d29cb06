/** Tensor names and geometry shared by the detector builder and the bundles that run it. */
export const DETECTOR_INPUT = 'image';
export const DETECTOR_OUTPUT = 'heatmap';
/** heat-map cells are DETECTOR_STRIDE x DETECTOR_STRIDE pixels */
export const DETECTOR_STRIDE = 4;
