import type { Envelope, StoredFeedbackEvent } from '@metaloop/contracts';
import { AfterIngestQueue, type AfterIngestQueueOptions } from './after-ingest-queue';

function event(id: string, subject?: string): StoredFeedbackEvent {
  return {
    event_id: id,
    agent_id: 'agent',
    session_id: 's',
    received_at: '2026-12-07T10:00:00.000Z',
    kind: 'explicit',
    ...(subject ? { subject_id: subject } : {}),
  } as StoredFeedbackEvent;
}

function feedback(...events: StoredFeedbackEvent[]): Envelope {
  return { v: 1, type: 'feedback', events };
}

/** A queue whose runs are recorded, and whose work can be held until released. */
function harness(overrides: Partial<AfterIngestQueueOptions> = {}) {
  const runs: string[][] = [];
  const warnings: string[] = [];
  const counts = { queue: 0, write: 0, dropped: 0 };
  let release: () => void = () => undefined;
  let held: Promise<void> | undefined;
  const queue = new AfterIngestQueue({
    what: 'things',
    failedVerb: 'done',
    maxQueued: 5,
    perRun: 2,
    accepts: (e) => Boolean(e.subject_id),
    work: async (events) => {
      runs.push(events.map((e) => e.event_id));
      if (held) await held;
    },
    metrics: {
      failures: { inc: ({ stage }) => void counts[stage]++ },
      dropped: { inc: () => void counts.dropped++ },
    },
    logger: { warn: (message) => void warnings.push(message) },
    ...overrides,
  });
  const hold = () => {
    held = new Promise((resolve) => (release = resolve));
  };
  return { queue, runs, warnings, counts, hold, release: () => release() };
}

describe('AfterIngestQueue', () => {
  it('queues the accepted feedback events and works them through in runs of perRun, in order', async () => {
    const h = harness();
    const system = { v: 1, type: 'system', events: [] } as unknown as Envelope;
    h.queue.offer([feedback(event('a', 'x'), event('skipped'), event('b', 'x'), event('c', 'y')), system]);
    await h.queue.idle();
    expect(h.runs).toEqual([['a', 'b'], ['c']]);
    expect(h.counts).toEqual({ queue: 0, write: 0, dropped: 0 });
  });

  it('drops (and counts) what is offered beyond maxQueued while a run holds', async () => {
    const h = harness();
    h.hold();
    h.queue.offer([feedback(event('first', 'x'))]); // taken by the first run, which holds
    h.queue.offer([feedback(...['1', '2', '3', '4', '5', '6', '7'].map((id) => event(id, 'x')))]);
    expect(h.counts.dropped).toBe(2);
    h.release();
    await h.queue.idle();
    expect(h.runs).toEqual([['first'], ['1', '2'], ['3', '4'], ['5']]);
  });

  it('counts and logs a failed run, and goes on with the next', async () => {
    const runs: string[][] = [];
    const h = harness({
      work: async (events) => {
        runs.push(events.map((e) => e.event_id));
        if (runs.length === 1) throw new Error('postgres said no');
      },
    });
    h.queue.offer([feedback(event('a', 'x'), event('b', 'x'), event('c', 'x'))]);
    await h.queue.idle();
    expect(runs).toEqual([['a', 'b'], ['c']]);
    expect(h.counts.write).toBe(1);
    expect(h.warnings).toEqual(['things of 2 events not done: postgres said no']);
  });

  it('never throws at the caller: a failure while queueing is counted as stage queue', async () => {
    const h = harness({
      accepts: () => {
        throw new Error('bad policy');
      },
    });
    expect(() => h.queue.offer([feedback(event('a', 'x'))])).not.toThrow();
    await h.queue.idle();
    expect(h.counts.queue).toBe(1);
    expect(h.warnings).toEqual(['things of a batch not queued: bad policy']);
    expect(h.runs).toEqual([]);
  });

  it('queues nothing while not enabled', async () => {
    let enabled = false;
    const h = harness({ enabled: () => enabled });
    h.queue.offer([feedback(event('off', 'x'))]);
    enabled = true;
    h.queue.offer([feedback(event('on', 'x'))]);
    await h.queue.idle();
    expect(h.runs).toEqual([['on']]);
  });

  it('starts no run after stop; the run in progress finishes its events', async () => {
    const h = harness();
    h.hold();
    h.queue.offer([feedback(event('a', 'x'), event('b', 'x'), event('c', 'x'))]);
    h.queue.stop();
    expect(h.queue.stopping).toBe(true);
    h.release();
    await h.queue.idle();
    h.queue.offer([feedback(event('d', 'x'))]);
    await h.queue.idle();
    expect(h.runs).toEqual([['a', 'b']]);
  });
});
