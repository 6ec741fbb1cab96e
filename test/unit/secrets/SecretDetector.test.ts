import { describe, expect, it } from 'vitest';
import { findSecrets, redactSecrets, redactSecretsMany } from '../../../src/secrets/SecretDetector.js';

// Fake credentials in the real formats (none of them is live).
const SAMPLES: Record<string, string> = {
  anthropic: 'sk-ant-api03-Zq1xW9vB2nM4kL7pR8sT3uV6yA0cD5eF-gH2jK9mN1qP4rS7tU0wX3zB6dE9fG2hJ5kL8mN-AbCdEfAA',
  openai: 'sk-proj-Q9wE8rT7yU6iO5pA4sD3fG2hJ1kL0zXcVbNmQwErTyUiOpAsDf',
  aws: 'AKIAZ7QPLMNB4VCX2ERT',
  github: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  slack: 'xoxb-123456789012-1234567890123-abcdefghijABCDEFGHIJabcd',
  password: 'hunter2-Correct-Horse',
};

describe('the secret detector', () => {
  it('finds keys in the formats people paste into sessions, and redacts them', async () => {
    const text = [
      `export ANTHROPIC_API_KEY=${SAMPLES['anthropic']}`,
      `client = OpenAI(api_key="${SAMPLES['openai']}")`,
      `aws_access_key_id = ${SAMPLES['aws']}`,
      `git remote set-url origin https://${SAMPLES['github']}@github.com/acme/app.git`,
      `curl -H 'Authorization: Bearer ${SAMPLES['slack']}'`,
      `psql postgres://admin:${SAMPLES['password']}@db.internal:5432/app`,
    ].join('\n');
    const { text: redacted, kinds } = await redactSecrets(text);
    for (const [name, value] of Object.entries(SAMPLES)) expect(redacted, name).not.toContain(value);
    expect(kinds.length).toBeGreaterThan(3);
    expect(redacted).toContain('export ANTHROPIC_API_KEY=[redacted');
  });

  it('leaves ordinary engineering text alone', async () => {
    const text = 'Fixed the 502 on proxy-eu1: nginx upstream keepalive 32, restarted with `systemctl reload nginx`. See src/auth/tokenStore.ts line 40; token expiry is 3600 s.';
    expect(await findSecrets(text)).toEqual([]);
  });

  it('redacts many texts in one pass exactly as one by one', async () => {
    const texts = ['no secret here', `key ${SAMPLES['github']} and ${SAMPLES['aws']}`, '', `${SAMPLES['slack']}`, 'tail text', `password=${SAMPLES['password']}`];
    const many = await redactSecretsMany(texts);
    const single = await Promise.all(texts.map(async (t) => (await redactSecrets(t)).text));
    expect(many.texts).toEqual(single);
    for (const v of Object.values(SAMPLES)) expect(many.texts.join('\n')).not.toContain(v);
  });

  it('is idempotent: a second pass over redacted text finds nothing in its own placeholders', async () => {
    const once = await redactSecrets('export PAYMENT_API_KEY=sk-ant-api03-Zq1xW9vB2nM4kL7pR8sT3uV6yA0cD5eF-gH2jK9mN1qP4rS7tU0wX3zB6dE9fG2hJ5kL8mN-AbCdEfAA');
    expect(once.kinds.length).toBeGreaterThan(0);
    const twice = await redactSecrets(once.text);
    expect(twice).toEqual({ text: once.text, kinds: [] });
  });
});
