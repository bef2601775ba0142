import type { Random } from '@metaloop/stats';
import { logNormal, pickWeighted } from '../truth/random';

/*
 * What a user reports about one interaction, given its true quality q: the interaction is good
 * with probability q; good ones are rated 4–5 and helpful, bad ones 1–3, unhelpful, mostly failed,
 * and sometimes complained about. A share of users rate at random whatever happened. The
 * system-measured parts (success, response time) never lie.
 */

export interface UserModel {
  /** Share of users whose rating and helpful vote are random. */
  noisyShare: number;
  /** P(a bad interaction draws a complaint). */
  complaintProbability: number;
  /** P(a bad interaction still reports success: the call worked, the answer did not). */
  badSuccessProbability: number;
  /** Response time: log-normal with this median (ms) and σ. */
  latencyMedianMs: number;
  latencySigma: number;
}

export const DEFAULT_USER_MODEL: UserModel = {
  noisyShare: 0.08,
  complaintProbability: 0.3,
  badSuccessProbability: 0.2,
  latencyMedianMs: 900,
  latencySigma: 0.45,
};

/** Ratings of a good (4: 60 %, 5: 40 %) and a bad interaction (1: 75 %, 2: 22 %, 3: 3 %). */
const GOOD_RATINGS = { values: [4, 5], weights: [0.6, 0.4] };
const BAD_RATINGS = { values: [1, 2, 3], weights: [0.75, 0.22, 0.03] };

/** Complaint tags and what the user wrote; tags match the planner's rule patches' vocabulary. */
export const COMPLAINTS = [
  { tag: 'wrong', text: 'the answer was wrong', weight: 0.45 },
  { tag: 'verbose', text: 'far too long, I gave up reading', weight: 0.25 },
  { tag: 'incomplete', text: 'it ignored half of my question', weight: 0.2 },
  { tag: 'rude', text: 'the tone was dismissive', weight: 0.1 },
] as const;

export interface Interaction {
  good: boolean;
  noisy: boolean;
  explicit: { rating: number; helpful: boolean; complaint?: string };
  implicit: { response_time_ms: number; success: boolean };
  tags?: string[];
}

/** One interaction's feedback; every draw comes from `random`, in a fixed order. */
export function interact(quality: number, random: Random, model: UserModel = DEFAULT_USER_MODEL): Interaction {
  const good = random.next() < quality;
  const noisy = random.next() < model.noisyShare;
  const success = good || random.next() < model.badSuccessProbability;
  const response_time_ms = Math.round(logNormal(random, model.latencyMedianMs, model.latencySigma));
  const complains = !good && !noisy && random.next() < model.complaintProbability;
  const complaint = complains
    ? COMPLAINTS[
        pickWeighted(
          random,
          COMPLAINTS.map((c) => c.weight),
        )
      ]!
    : undefined;
  const ratings = good ? GOOD_RATINGS : BAD_RATINGS;
  const rating = noisy ? 1 + Math.floor(random.next() * 5) : ratings.values[pickWeighted(random, ratings.weights)]!;
  const helpful = noisy ? random.next() < 0.5 : good;
  return {
    good,
    noisy,
    explicit: { rating, helpful, ...(complaint && { complaint: complaint.text }) },
    implicit: { response_time_ms, success },
    ...(complaint && { tags: [complaint.tag] }),
  };
}

/** The mean rating a revision of quality q gets from this user model (what the analyzer estimates). */
export function expectedMeanRating(quality: number, model: UserModel = DEFAULT_USER_MODEL): number {
  const mean = (r: { values: number[]; weights: number[] }) =>
    r.values.reduce((sum, v, i) => sum + v * r.weights[i]!, 0);
  const honest = quality * mean(GOOD_RATINGS) + (1 - quality) * mean(BAD_RATINGS);
  return (1 - model.noisyShare) * honest + model.noisyShare * 3;
}

/** The share of interactions the mesh counts as errors (`success: false`). */
export function expectedErrorRate(quality: number, model: UserModel = DEFAULT_USER_MODEL): number {
  return (1 - quality) * (1 - model.badSuccessProbability);
}
