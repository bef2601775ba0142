import { natsTopology } from './topology';

describe('natsTopology', () => {
  it('uses the contract names in production', () => {
    const t = natsTopology();
    expect(t.subjects.feedback('explicit', 'helpful_assistant')).toBe('feedback.explicit.helpful_assistant');
    expect(t.subjects.feedback('implicit', 'a')).toBe('feedback.implicit.a');
    expect(t.subjects.system('gateway')).toBe('feedback.system.gateway');
    expect(t.subjects.deadLetter('feedback.explicit.a')).toBe('dlq.feedback.explicit.a');
    expect(t.subjects.replayOf('dlq.feedback.explicit.a')).toBe('feedback.explicit.a');
    expect(t.subjects.configChanged).toBe('config.changed');
    expect(t.streams.feedback.name).toBe('FEEDBACK');
    expect(t.streams.feedback.subjects).toEqual(['feedback.>']);
    expect(t.streams.deadLetters.subjects).toEqual(['dlq.feedback.>']);
    expect(t.consumers.ingest).toMatchObject({
      stream: 'FEEDBACK',
      config: { durable_name: 'oracle-ingest', filter_subject: 'feedback.>' },
    });
  });

  it('namespaces every name under a prefix so suites never overlap', () => {
    const t = natsTopology({ prefix: 't_x-1' });
    expect(t.subjects.feedback('explicit', 'a')).toBe('t_x-1.feedback.explicit.a');
    expect(t.subjects.deadLetter('t_x-1.feedback.explicit.a')).toBe('t_x-1.dlq.feedback.explicit.a');
    expect(t.subjects.replayOf('t_x-1.dlq.feedback.explicit.a')).toBe('t_x-1.feedback.explicit.a');
    expect(t.streams.feedback.name).toBe('T_X_1_FEEDBACK');
    expect(t.streams.feedback.subjects).toEqual(['t_x-1.feedback.>']);
    expect(t.consumers.ingest.config.filter_subject).toBe('t_x-1.feedback.>');
  });
});
