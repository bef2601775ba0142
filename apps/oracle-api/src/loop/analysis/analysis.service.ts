import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import { uuidv7 } from '@metaloop/core';
import { type AnalyzeResponse } from '@metaloop/contracts';
import { FindingsService } from '../findings/findings.service';
import type { AnalysisSnapshot } from './analysis-snapshot';
import { analysisWindows, nextHour } from './analysis-windows';
import { AnalysisMetrics, UNREGISTERED_AGENT } from './analysis.metrics';
import { AnalysisReader } from './analysis.reader';
import { UPSERT_RETRAIN_STATES } from './analysis.sql';
import { PolicyStore } from '@metaloop/policies';
import { analyzerThresholdsFromPolicy, type AnalyzerThresholds } from './analyzer-thresholds';
import { detectFindings } from './detect-findings';
import { range } from './finding-draft';
import type { FindingDraft } from '../findings/finding-draft';

export interface AnalyzeOptions {
  /** The recent window: the last this many hours. */
  time_window_hours: number;
  /** The baseline before it; default the window's length. */
  baseline_window_hours?: number;
  /** Only these agents; default every agent with traffic in either window. */
  agent_ids?: readonly string[];
  /** The analysis' "now" (tests, replays); default the current time. */
  now?: Date;
}

/**
 * One analysis: a recent window against the baseline before it, per agent and revision, over
 * the rollups (never raw events); findings recorded with dedup, retrain bookkeeping updated.
 */
@Injectable()
export class AnalysisService {
  private readonly logger = new Logger(AnalysisService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly reader: AnalysisReader,
    private readonly findings: FindingsService,
    private readonly metrics: AnalysisMetrics,
    private readonly policies: PolicyStore,
  ) {}

  /** Thresholds default to the policy in force (`thresholds` section). */
  async analyze(options: AnalyzeOptions, thresholds?: AnalyzerThresholds): Promise<AnalyzeResponse> {
    return (await this.run(options, thresholds)).response;
  }

  /** The analysis, and each analyzed agent's events in the window (the tick ranks by traffic). */
  async run(
    options: AnalyzeOptions,
    thresholds?: AnalyzerThresholds,
  ): Promise<{ response: AnalyzeResponse; traffic: Map<string, number> }> {
    thresholds ??= analyzerThresholdsFromPolicy(this.policies.current().policy.thresholds);
    const started = performance.now();
    const now = options.now ?? new Date();
    const hours = options.time_window_hours;
    const windows = analysisWindows(
      now,
      hours,
      options.baseline_window_hours ?? hours,
      thresholds.complaint_burst_window_minutes,
    );
    const snapshot = await this.reader.read(now, windows, options.agent_ids);
    const { findings: drafts, testsRun } = detectFindings(snapshot, thresholds);
    const analysisId = uuidv7();
    const stamped = drafts.map((draft) => ({ ...draft, evidence: { ...draft.evidence, analysis_id: analysisId } }));
    const analyzed = [...new Set(snapshot.groups.map((g) => g.agent_id))].sort();
    const { recorded, closed } = await this.prisma.$transaction(async (tx) => {
      const result = await this.findings.record(stamped, now, tx);
      const stale = await this.findings.closeStale(
        {
          analyzedAgents: analyzed,
          detectedKeys: drafts.map((d) => d.dedup_key),
          windowFrom: windows.window.from,
          agentFilter: options.agent_ids,
        },
        now,
        tx,
      );
      await updateRetrainStates(tx, snapshot, drafts, now);
      return { recorded: result, closed: stale };
    });
    for (const { finding, outcome } of recorded)
      this.metrics.findings.inc({
        type: finding.type,
        outcome,
        // Clients choose the agent ids of feedback: only registered agents get a series of their own.
        agent_id: snapshot.agents.has(finding.agent_id) ? finding.agent_id : UNREGISTERED_AGENT,
      });
    const agentsAnalyzed = analyzed.length;
    const seconds = (performance.now() - started) / 1000;
    this.metrics.duration.observe(seconds);
    this.logger.log(
      `analysis ${analysisId}: ${agentsAnalyzed} agents, ${testsRun} tests, ${recorded.length} findings, ${closed.resolved} resolved, ${closed.superseded} superseded in ${Math.round(seconds * 1000)} ms`,
    );
    const response: AnalyzeResponse = {
      analysis: {
        analysis_id: analysisId,
        window: range(windows.window),
        baseline_window: range(windows.baseline),
        agents_analyzed: agentsAnalyzed,
        tests_run: testsRun,
        findings: recorded.map((r) => r.finding),
        resolved_findings: closed.resolved,
        superseded_findings: closed.superseded,
        duration_ms: seconds * 1000,
      },
    };
    return { response, traffic: windowTraffic(snapshot) };
  }
}

/**
 * Agents seen for the first time start their retrain schedule and sample count; agents with a
 * retrain trigger restart both. Counting resumes at the next whole hour, which the hourly
 * rollups can tell apart.
 */
async function updateRetrainStates(
  sql: Pick<PrismaService, '$executeRawUnsafe'>,
  snapshot: AnalysisSnapshot,
  drafts: readonly FindingDraft[],
  now: Date,
): Promise<void> {
  const triggered = new Map(
    drafts.filter((d) => d.type === 'retrain_trigger').map((d) => [d.agent_id, String(d.evidence['reason'])]),
  );
  const agents = new Set(snapshot.groups.map((g) => g.agent_id));
  const rows = [...agents]
    .filter((agentId) => triggered.has(agentId) || !snapshot.retrain.has(agentId))
    .sort()
    .map((agent_id) => ({
      agent_id,
      samples_since: nextHour(now).toISOString(),
      last_triggered_at: triggered.has(agent_id) ? now.toISOString() : null,
      last_reason: triggered.get(agent_id) ?? null,
    }));
  if (rows.length > 0) await sql.$executeRawUnsafe(UPSERT_RETRAIN_STATES, JSON.stringify(rows), now.toISOString());
}

/** Events per agent in the recent window, all revisions together. */
function windowTraffic(snapshot: AnalysisSnapshot): Map<string, number> {
  const traffic = new Map<string, number>();
  for (const group of snapshot.groups)
    traffic.set(group.agent_id, (traffic.get(group.agent_id) ?? 0) + (group.window?.count ?? 0));
  return traffic;
}
