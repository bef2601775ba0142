import type { Random } from '@metaloop/stats';
import { shuffle, streamRandom } from './random';

/*
 * What the simulated users ask, and what a good and a poor answer look like: a few support
 * topics, each with query templates sharing its words (so similar queries come out similar to an
 * n-gram embedder) and fillers (so no two sessions send the same text), one good answer and a
 * pool of poor answers shared by all topics. Each topic's keyword appears in its queries and in
 * no other topic's, which is how the simulator reads the topic of a retrieved example back from
 * its text; its good answer is how it tells a good example from a poor one.
 */

export interface Topic {
  id: string;
  /** A word every query of the topic holds and no other topic's query does. */
  keyword: string;
  /** `{x}` slots: {order}, {product}, {when}, {amount}. */
  templates: readonly string[];
  good: string;
}

export const TOPICS: readonly Topic[] = [
  {
    id: 'refunds',
    keyword: 'refund',
    templates: [
      'How do I get a refund for order {order}?',
      'I want a refund for the {product} I bought {when}, order {order}',
      'Can I still get a refund on order {order}? It was {amount}',
      'refund request for my {product}, order {order}',
    ],
    good: 'Open Orders, choose the order and press "Request refund"; the money is back on your card within 5 business days.',
  },
  {
    id: 'shipping',
    keyword: 'shipping',
    templates: [
      'What is the shipping status of order {order}?',
      'My {product} has not arrived, shipping for order {order} started {when}',
      'How long does shipping take for order {order}?',
      'shipping update for order {order} please, the {product}',
    ],
    good: 'Track it under Orders → Track shipment; standard shipping takes 3–5 days and the tracking link updates every few hours.',
  },
  {
    id: 'password',
    keyword: 'password',
    templates: [
      'How do I reset my password? I changed it {when}',
      'I forgot my password and cannot log in to account {order}',
      'password reset link for account {order} does not work',
      'Can you help me change the password on account {order}?',
    ],
    good: 'Use "Forgot password" on the login page; the reset link is valid for 30 minutes, so request a new one if it expired.',
  },
  {
    id: 'invoices',
    keyword: 'invoice',
    templates: [
      'Where can I download the invoice for order {order}?',
      'I need an invoice with our VAT number for order {order} of {amount}',
      'The invoice for order {order} shows the wrong company name',
      'invoice copy for my {product}, order {order}',
    ],
    good: 'Invoices are under Billing → Invoices as PDF; edit the billing details there first and the invoice is issued again.',
  },
  {
    id: 'api-errors',
    keyword: 'api',
    templates: [
      'The api returns 429 for key {order} since {when}',
      'Why does the api answer 401 for my key {order}?',
      'api calls time out from our {product} integration, key {order}',
      'Getting 500 errors from the api on key {order}',
    ],
    good: 'Check the key under Developers → API keys: 401 means it was revoked, 429 that you passed 100 requests a minute; retry with backoff.',
  },
  {
    id: 'cancellation',
    keyword: 'cancel',
    templates: [
      'How do I cancel my subscription {order}?',
      'I want to cancel the {product} plan I started {when}',
      'cancel subscription {order} before the next charge of {amount}',
      'Please cancel my plan, account {order}',
    ],
    good: 'Go to Settings → Subscription and press "Cancel plan"; you keep access until the end of the paid period and are not charged again.',
  },
  {
    id: 'delivery-address',
    keyword: 'address',
    templates: [
      'Can I change the delivery address of order {order}?',
      'I moved {when}, how do I update the address for order {order}?',
      'wrong address on order {order} for the {product}',
      'Change address on order {order} please',
    ],
    good: 'Before the order ships, edit the address under Orders → Details → Change address; once shipped, ask the carrier to redirect it.',
  },
  {
    id: 'two-factor',
    keyword: 'authenticator',
    templates: [
      'I lost my phone with the authenticator app, account {order}',
      'How do I move my authenticator to a new phone? I switched {when}',
      'authenticator codes are rejected for account {order}',
      'Reset authenticator login for account {order}',
    ],
    good: 'Sign in with one of your backup codes, then Security → Two-factor → Reset authenticator and scan the new QR code.',
  },
];

/** Poor answers: polite, on no topic, no help. */
export const POOR_ANSWERS: readonly string[] = [
  'I am not sure about that. Please contact our support team.',
  'Could you rephrase your question?',
  'Thank you for reaching out, our team will look into it.',
  'Please check our help center for more information.',
];

const PRODUCTS = ['headphones', 'desk lamp', 'backpack', 'keyboard', 'coffee grinder', 'monitor', 'jacket', 'router'];
const WHEN = ['yesterday', 'last week', 'two days ago', 'this morning', 'last month', 'on Monday'];

const byId = new Map(TOPICS.map((t) => [t.id, t]));

export function topicById(id: string): Topic {
  const topic = byId.get(id);
  if (!topic) throw new Error(`unknown topic ${id}`);
  return topic;
}

/** The topics an agent's users ask about: `count` of the catalogue, a function of (seed, agent index). */
export function topicsOf(seed: number, agentIndex: number, count: number): string[] {
  const random = streamRandom(seed, 0x70b1c5, agentIndex);
  return shuffle(
    random,
    TOPICS.map((t) => t.id),
  ).slice(0, Math.min(count, TOPICS.length));
}

/** One user's query: a topic of the agent's (uniformly) and a template of it with fresh fillers. */
export function composeQuery(topics: readonly string[], random: Random): { topic: string; text: string } {
  const topic = topicById(topics[Math.floor(random.next() * topics.length)]!);
  const template = topic.templates[Math.floor(random.next() * topic.templates.length)]!;
  const fillers: Record<string, string> = {
    order: String(10_000 + Math.floor(random.next() * 90_000)),
    product: PRODUCTS[Math.floor(random.next() * PRODUCTS.length)]!,
    when: WHEN[Math.floor(random.next() * WHEN.length)]!,
    amount: `${5 + Math.floor(random.next() * 495)} EUR`,
  };
  return { topic: topic.id, text: template.replace(/\{(\w+)\}/g, (_, slot: string) => fillers[slot] ?? slot) };
}

/** The agent's answer: the topic's good answer when the interaction went well, a poor one when not. */
export function composeAnswer(topic: string, good: boolean, random: Random): string {
  return good ? topicById(topic).good : POOR_ANSWERS[Math.floor(random.next() * POOR_ANSWERS.length)]!;
}

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/** What the simulator reads in a stored example: its topic (by keyword, null if none or several) and whether its answer is the topic's good one. */
export function readExample(example: { input: string; output: string }): { topic: string | null; good: boolean } {
  const inputWords = words(example.input);
  const matching = TOPICS.filter((t) => inputWords.has(t.keyword));
  const topic = matching.length === 1 ? matching[0]! : null;
  return { topic: topic?.id ?? null, good: topic !== null && example.output.trim() === topic.good };
}

/** Whether retrieved examples help a session on `topic`: at least one is on that topic and answers it well. */
export function helpsWith(topic: string, retrieved: ReadonlyArray<{ input: string; output: string }>): boolean {
  return retrieved.some((example) => {
    const read = readExample(example);
    return read.topic === topic && read.good;
  });
}
