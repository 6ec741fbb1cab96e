import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../src/search/tokenize.js';

describe('tokenize', () => {
  it.each([
    ['elastic3 is down', ['elastic3', 'elastic']],
    ['got ERR_CONN_REFUSED', ['err_conn_refused', 'err', 'conn', 'refused']],
    ['patch CVE-2024-1234 now', ['cve-2024-1234', 'cve', '2024', '1234']],
    ['edit /etc/nginx/conf.d/up.conf', ['etc/nginx/conf.d/up.conf', 'nginx', 'conf']],
    ['listen on elastic3.prod:9200', ['elastic3.prod:9200', 'elastic3', 'prod', '9200', 'elastic']],
    ['use --max-old-space-size=4096', ['max-old-space-size', 'max', 'old', 'space', 'size', '4096']],
  ])('%s', (text, expected) => {
    const tokens = tokenize(text);
    for (const t of expected) expect(tokens).toContain(t);
  });

  it('lower-cases and ignores punctuation', () => {
    expect(tokenize('Hello, World!')).toEqual(['hello', 'world']);
  });
});
