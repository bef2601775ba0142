import { dlqListQuerySchema, dlqReplaySchema } from './dead-letter.schema';

describe('dead-letter request schemas', () => {
  it('coerces query strings and applies defaults', () => {
    expect(dlqListQuerySchema.parse({})).toEqual({ limit: 100, after_seq: 0 });
    expect(dlqListQuerySchema.parse({ limit: '5', after_seq: '12' })).toEqual({ limit: 5, after_seq: 12 });
    expect(dlqListQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
    expect(dlqListQuerySchema.safeParse({ after_seq: '-1' }).success).toBe(false);
  });

  it.each([
    [{ seqs: [1, 2] }, true],
    [{ all: true }, true],
    [{}, false],
    [{ seqs: [] }, false],
    [{ seqs: [0] }, false],
    [{ all: false }, false],
    [{ seqs: [1], all: true }, false],
  ])('replay body %j valid: %s', (body, valid) => {
    expect(dlqReplaySchema.safeParse(body).success).toBe(valid);
  });
});
