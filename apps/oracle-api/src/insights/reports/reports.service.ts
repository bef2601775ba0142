import { Injectable } from '@nestjs/common';
import { PrismaService, type InsightReport } from '@metaloop/db';
import type {
  CreateReportRequest,
  Report,
  ReportListQuery,
  ReportListResponse,
  ReportPeriod,
} from '@metaloop/contracts';
import { PolicyStore } from '@metaloop/policies';
import { DimensionsReader } from '../patterns/dimensions.reader';
import { lastCompletePeriod, periodRange, previousPeriod, type PeriodRange } from './periods';
import { buildReport, type ReportBody } from './report-builder';
import { ReportNotFoundError, ReportPeriodError } from './reports.errors';
import { ReportsMetrics } from './reports.metrics';
import { ReportWebhook } from './report-webhook';

export type ReportTrigger = Report['trigger'];

/** Weekly and monthly reports: generated from the dimension rollups, stored (their only writer), listed and read. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly dimensions: DimensionsReader,
    private readonly policies: PolicyStore,
    private readonly metrics: ReportsMetrics,
    private readonly webhook: ReportWebhook,
  ) {}

  async generate(
    request: CreateReportRequest,
    trigger: ReportTrigger,
    actor: string,
    now = new Date(),
  ): Promise<Report> {
    const report = await this.make(request, trigger, actor, now, this.prisma);
    await this.announce(report);
    return report;
  }

  /**
   * The scheduled job: a fleet-wide report of each period's last complete period, unless one
   * exists. Checked and written under a transaction-scoped advisory lock per period, so two
   * replicas' jobs never make the same report twice.
   */
  async generateDue(periods: readonly ReportPeriod[], now = new Date()): Promise<Report[]> {
    const made: Report[] = [];
    for (const period of periods) {
      const range = lastCompletePeriod(period, now);
      const report = await this.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtext($1))', `metaloop:reports:${period}`);
        const existing = await tx.insightReport.findFirst({
          where: { period, periodId: range.id, agentId: null },
          select: { id: true },
        });
        if (existing) return null;
        return this.make({ period, period_id: range.id }, 'schedule', 'system:reports', now, tx);
      });
      if (!report) continue;
      await this.announce(report);
      made.push(report);
    }
    return made;
  }

  /** Builds the report from the rollups and stores it. */
  private async make(
    request: CreateReportRequest,
    trigger: ReportTrigger,
    actor: string,
    now: Date,
    db: Pick<PrismaService, 'insightReport'>,
  ): Promise<Report> {
    const range = this.rangeOf(request, now);
    const previousRange = previousPeriod(range);
    const agentId = request.agent_id ?? null;
    const [current, previous] = await Promise.all([
      this.dimensions.sums(range.from, range.to, agentId, null),
      this.dimensions.sums(previousRange.from, previousRange.to, agentId, null),
    ]);
    const body = buildReport({
      range,
      previousRange,
      current,
      previous,
      agentId,
      policy: this.policies.current().policy.insights.reports,
    });
    const row = await db.insightReport.create({
      data: {
        period: range.period,
        periodId: range.id,
        agentId,
        fromTime: range.from,
        toTime: range.to,
        body: body as object,
        alert: body.alert,
        trigger,
        createdBy: actor,
      },
    });
    return toReport(row);
  }

  /** After the report is stored: metrics, and the webhook when it alerts. */
  private async announce(report: Report): Promise<void> {
    this.observe(report);
    if (report.alert) await this.webhook.notify(report);
  }

  async list(query: ReportListQuery): Promise<ReportListResponse> {
    const rows = await this.prisma.insightReport.findMany({
      where: {
        ...(query.period ? { period: query.period } : {}),
        ...(query.agent_id ? { agentId: query.agent_id } : {}),
        ...(query.cursor ? { id: { lt: query.cursor } } : {}),
      },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return { items: page.map(toReport), next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null };
  }

  async get(reportId: string): Promise<Report> {
    const row = await this.prisma.insightReport.findUnique({ where: { id: reportId } });
    if (!row) throw new ReportNotFoundError(reportId);
    return toReport(row);
  }

  private rangeOf(request: CreateReportRequest, now: Date): PeriodRange {
    if (request.period_id === undefined) return lastCompletePeriod(request.period, now);
    let range: PeriodRange;
    try {
      range = periodRange(request.period, request.period_id);
    } catch (error) {
      throw new ReportPeriodError((error as Error).message);
    }
    if (range.from > now) throw new ReportPeriodError(`${range.id} has not begun yet`);
    return range;
  }

  private observe(report: Report): void {
    const period = report.period;
    this.metrics.generated.inc({ period, trigger: report.trigger });
    if (report.alert) this.metrics.successDropAlerts.inc({ period });
    if (report.agent_id !== null) return;
    if (report.current.success_rate !== null)
      this.metrics.fleetSuccessRate.set({ period }, report.current.success_rate);
    const change = report.change.success_rate?.relative_percent;
    if (change !== undefined && change !== null) this.metrics.fleetSuccessRateChange.set({ period }, change);
  }
}

function toReport(row: InsightReport): Report {
  return {
    report_id: row.id,
    ...(row.body as unknown as ReportBody),
    trigger: row.trigger as ReportTrigger,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
  };
}
