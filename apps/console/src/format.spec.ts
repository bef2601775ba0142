import { may, query, type Whoami } from './api';
import { ago, num, pct, short } from './format';

describe('console formatting', () => {
  it.each([
    [0.123456, 3, '0.123'],
    [2, 3, '2'],
    [-0.0000123, 3, '-1.2e-5'],
    [0, 3, '0'],
    [13.66, 1, '13.7'],
    [null, 3, '—'],
    [Number.NaN, 3, '—'],
  ])('num(%p, %p) is %p', (value, digits, text) => {
    expect(num(value, digits)).toBe(text);
  });

  it('writes weights in percent, ids shortened, times relative', () => {
    expect(pct(10)).toBe('10 %');
    expect(pct(33.333)).toBe('33.33 %');
    expect(pct(null)).toBe('—');
    expect(short('01a25012-b69a-7508-b3e2-48d8559416e8')).toBe('01a25012…');
    expect(short('rev_1')).toBe('rev_1');
    const now = Date.parse('2026-12-07T10:00:00Z');
    expect(ago('2026-12-07T09:59:30Z', now)).toBe('30 s ago');
    expect(ago('2026-12-07T09:45:00Z', now)).toBe('15 min ago');
    expect(ago('2026-12-07T07:00:00Z', now)).toBe('3 h ago');
    expect(ago('2026-12-05T10:00:00Z', now)).toBe('2 d ago');
    expect(ago(null, now)).toBe('—');
  });

  it('builds a query string of the values given', () => {
    expect(query({ status: 'running', agent_id: '', cursor: undefined, limit: 50 })).toBe('?status=running&limit=50');
    expect(query({ agent_id: 'a b&c' })).toBe('?agent_id=a+b%26c');
    expect(query({})).toBe('');
  });

  it('grants a scope to a key that holds it or admin, never without a key', () => {
    const key = (scopes: Whoami['scopes']): Whoami => ({ key_id: 'k', name: 'n', scopes, grafana_url: null });
    expect(may(key(['oracle:read']), 'oracle:execute')).toBe(false);
    expect(may(key(['oracle:read', 'oracle:execute']), 'oracle:execute')).toBe(true);
    expect(may(key(['admin']), 'oracle:rollback')).toBe(true);
    expect(may(null, 'oracle:read')).toBe(false);
  });
});
