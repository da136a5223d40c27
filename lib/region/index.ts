/** Region edits at full resolution (issue 12): mask → plan → crop → provider → composite. */
export { ALPHA_CHANGE_THRESHOLD, CHANGE_THRESHOLD, type Change, measureChange } from "./change";
export { compositeRegion, cropForProvider, prepareRegionEdit, regionEditLocal } from "./composite";
export { type Mask, maskBounds, readMask } from "./mask";
export { type Rect, uprightSize } from "./pixels";
export { planRegion, type RegionPlan } from "./plan";
