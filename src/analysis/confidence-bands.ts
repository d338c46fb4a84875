/**
 * Confidence cut points shared by the engines' calibration, the evaluation's reliability table and the
 * UI's colour bands (src/web/public/results-view.js repeats them; a test keeps the two equal).
 * - high (≥ 0.8): right at least 90 % of the time on the evaluation set (docs/analysis.md);
 * - medium (≥ 0.5): a useful lead, to be checked against the quoted page;
 * - below `answered` (0.3): an abstention — the answer is null.
 */
export const CONFIDENCE_BANDS = Object.freeze({ high: 0.8, medium: 0.5, answered: 0.3 });
