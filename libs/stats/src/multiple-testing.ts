/*
 * Multiple-testing corrections over the p-values of one family (e.g. every test one analysis
 * ran across all agents). Both return adjusted p-values in the input order: reject where the
 * adjusted value is ≤ alpha.
 */

/**
 * Benjamini–Hochberg step-up: controls the false discovery rate at alpha under independence
 * or positive dependence, and, when every null is true, the chance of any rejection at all.
 * Equals R's `p.adjust(method = "BH")`.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => y[0] - x[0]);
  const adjusted = new Array<number>(m);
  let running = 1;
  order.forEach(([p, i], k) => {
    const rank = m - k;
    running = Math.min(running, (p * m) / rank);
    adjusted[i] = Math.min(1, running);
  });
  return adjusted;
}

/** Holm's step-down: controls the family-wise error rate, uniformly better than Bonferroni. Equals `p.adjust(method = "holm")`. */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
