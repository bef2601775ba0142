/**
 * Who will export the metrics that panels marked `awaiting(AWAITS.<who>, [...])` read, while a
 * panel is written before its metric exists. When the metric lands, the Prometheus proof says
 * which panels to un-mark, and traffic that fills them goes into deploy/src/support/traffic.ts.
 */
export const AWAITS: Readonly<Record<string, string>> = {};
