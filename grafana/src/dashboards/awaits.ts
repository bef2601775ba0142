/**
 * Who will export the metrics that panels marked `awaiting(AWAITS.<who>, [...])` read, while a
 * panel is written before its metric exists. When the metric lands, the Prometheus proof says
 * which panels to un-mark, and traffic that fills them goes into deploy/src/support/traffic.ts.
 */
export const AWAITS: Readonly<Record<string, string>> = {
  training:
    "oracle-api's loop/training (issue 15): metaloop_datasets_built_total{kind,outcome}, metaloop_dataset_build_duration_seconds, metaloop_dataset_lines_total{split}, metaloop_training_requests_total{status}",
};
