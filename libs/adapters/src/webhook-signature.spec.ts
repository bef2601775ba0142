import { signWebhook, verifyWebhookSignature } from './webhook-signature';

const body = '{"weights":{"eu-1":70,"us-1":30}}';
const now = 1_764_000_000;

describe('webhook signatures', () => {
  it('signs t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    // echo -n '1764000000.{"weights":{"eu-1":70,"us-1":30}}' | openssl dgst -sha256 -hmac secret
    expect(signWebhook('secret', body, now)).toBe(
      `t=${now},v1=4dd109ce4f1b3df240af99cfd30b0d122d2f3c297399e928e467b5bad87f803c`,
    );
  });

  it.each([
    ['a valid signature', 'secret', signWebhook('secret', body, now), body, now + 10, true],
    [
      'one of several signatures',
      'new',
      `${signWebhook('old', body, now)},v1=${signWebhook('new', body, now).split('v1=')[1]}`,
      body,
      now,
      true,
    ],
    ['another secret', 'other', signWebhook('secret', body, now), body, now, false],
    ['a changed body', 'secret', signWebhook('secret', body, now), body.replace('70', '90'), now, false],
    ['an old timestamp', 'secret', signWebhook('secret', body, now), body, now + 301, false],
    ['no header', 'secret', undefined, body, now, false],
    ['a malformed header', 'secret', 'v1=abc,t=x', body, now, false],
  ])('verifies %s', (_name, secret, header, received, at, valid) => {
    expect(verifyWebhookSignature(secret, header, received, 300, at)).toBe(valid);
  });
});
