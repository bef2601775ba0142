import { getQueueToken } from '@nestjs/bullmq';
import { JOBS, QUEUES } from '@metaloop/contracts';
import { eventually } from '@metaloop/testing';
import type { Queue } from 'bullmq';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { REPORTS_SCHEDULER_ID } from './reports.scheduler';

describe('scheduled reports', () => {
  let h: OracleHarness;
  let queue: Queue;

  beforeAll(async () => {
    h = await oracleHarness('reports_schedule', { REPORTS_EVERY_MINUTES: '720', REPORTS_PERIODS: 'weekly, monthly' });
    queue = h.apps[0]!.get<Queue>(getQueueToken(QUEUES.reports));
  });
  afterAll(() => h?.dispose());

  it('registers one BullMQ job scheduler with the configured period and periods', async () => {
    const scheduler = await eventually(async () => {
      const found = await queue.getJobScheduler(REPORTS_SCHEDULER_ID);
      expect(found).toBeTruthy();
      return found!;
    });
    expect(scheduler).toMatchObject({ every: 720 * 60_000, name: JOBS.generateReports });
    expect(scheduler.template?.data).toEqual({ periods: ['weekly', 'monthly'] });
  });

  it("the reports worker makes the last complete week's and month's fleet reports, once", async () => {
    await queue.add(JOBS.generateReports, { periods: ['weekly', 'monthly'] });
    await queue.add(JOBS.generateReports, { periods: ['weekly', 'monthly'] });
    const reports = await eventually(async () => {
      const rows = await h.query<{ period: string; trigger: string; agent_id: string | null }>(
        `SELECT period, trigger, agent_id FROM insight_reports ORDER BY period`,
      );
      expect(rows.map((r) => r.period)).toEqual(['monthly', 'weekly']);
      return rows;
    });
    expect(reports.every((r) => r.trigger === 'schedule' && r.agent_id === null)).toBe(true);
    // Both jobs ran (the scheduler's own first run may add one more look): still one report per period.
    await eventually(async () =>
      expect(await queue.getJobCounts('wait', 'active', 'delayed')).toMatchObject({ wait: 0, active: 0 }),
    );
    expect(await h.query(`SELECT count(*)::int AS n FROM insight_reports`)).toEqual([{ n: 2 }]);
  });
});
