/**
 * Who will export the metrics that the panels marked `awaiting(...)` read. When one lands, its
 * panels are checked against the real names (the Prometheus proof says which), un-marked, and
 * traffic that fills them is added to deploy/src/support/traffic.ts.
 */
export const AWAITS = {
  agentPerformance: 'feedback-api: response time and success per agent, revision and arm from implicit feedback',
  feedbackQuality: 'feedback-api: rating, helpful and complaint counters',
} as const;
