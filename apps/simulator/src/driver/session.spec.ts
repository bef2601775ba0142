import { buildFleet, servedQuality } from '../truth/fleet';
import { streamRandom } from '../truth/random';
import { composeAnswer, composeQuery, POOR_ANSWERS, topicById } from '../truth/topics';
import { DEFAULT_USER_MODEL, interact } from '../users/user-model';
import { playSession, sessionQuery } from './session';

describe('one session', () => {
  const fleet = buildFleet({ seed: 4, agents: 30, idPrefix: 'eff-s', runSeconds: 720 });
  const learner = fleet.agents.find((a) => a.kind === 'learnable')!;
  const needy = fleet.agents.find((a) => a.kind === 'needy')!;
  const example = (topic: string, good: boolean) => ({
    id: `${topic}-${good}`,
    input: composeQuery([topic], streamRandom(9, 1)).text,
    output: good ? topicById(topic).good : POOR_ANSWERS[1]!,
    similarity: 0.8,
    quality: 0.9,
  });
  const play = (agent: typeof learner, index: number, retrieved?: ReturnType<typeof example>[]) =>
    playSession({
      seed: 4,
      agent,
      index,
      query: sessionQuery(4, agent, index),
      promptQuality: agent.stable.quality,
      retrieved,
      model: DEFAULT_USER_MODEL,
    });

  it('asks one of its agent’s topics, the same query for the same (seed, agent, session)', () => {
    const query = sessionQuery(4, learner, 17)!;
    expect(sessionQuery(4, learner, 17)).toEqual(query);
    expect(learner.topics).toContain(query.topic);
    expect(sessionQuery(4, { ...learner, topics: [] }, 17)).toBeNull();
  });

  it('draws the user’s verdict from the same stream as without queries, so a session unhelped is what it was', () => {
    for (let index = 0; index < 50; index++) {
      const played = play(needy, index);
      expect(played).toMatchObject({ quality: needy.stable.quality, helped: false });
      expect(played.interaction).toEqual(
        interact(needy.stable.quality, streamRandom(4, needy.index, index), DEFAULT_USER_MODEL),
      );
      expect(played.artifacts).toBeUndefined(); // its runtime sends no artifacts
    }
  });

  it('is lifted by a retrieved example on its topic with a good answer, not by one off topic or answered poorly', () => {
    const index = 3;
    const topic = sessionQuery(4, learner, index)!.topic;
    const other = learner.topics.find((t) => t !== topic)!;
    const lifted = servedQuality(learner, learner.stable.quality, true);
    expect(play(learner, index, [example(other, true), example(topic, true)])).toMatchObject({
      helped: true,
      quality: lifted,
    });
    expect(play(learner, index, [example(other, true), example(topic, false)])).toMatchObject({
      helped: false,
      quality: learner.stable.quality,
    });
    expect(play(learner, index, [])).toMatchObject({ helped: false, quality: learner.stable.quality });
  });

  it('reports the query and a good answer for a good interaction, a poor one for a bad interaction', () => {
    let good = 0;
    for (let index = 0; index < 200; index++) {
      const played = play(learner, index);
      const query = sessionQuery(4, learner, index)!;
      expect(played.artifacts!.input).toBe(query.text);
      if (played.interaction.good) good++;
      expect(played.artifacts!.output).toBe(
        played.interaction.good
          ? topicById(query.topic).good
          : composeAnswer(query.topic, false, streamRandom(4, learner.index, index, 0xa5)),
      );
      if (!played.interaction.good) expect(POOR_ANSWERS).toContain(played.artifacts!.output);
    }
    expect(good).toBeGreaterThan(40);
    expect(good).toBeLessThan(120);
  });
});
