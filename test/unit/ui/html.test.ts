import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../../src/ui/pages/html.js';

describe('the dashboard html template', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const hostile = `<script>alert(1)</script><img src=x onerror="alert(2)">'\`&`;
    const out = html`<p title="${hostile}">${hostile}</p>`.value;
    expect(out).not.toMatch(/<script|<img|"alert/);
    expect(out).toBe(`<p title="${escapeHtml(hostile)}">${escapeHtml(hostile)}</p>`);
    expect(escapeHtml(hostile)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&#39;&#96;&amp;');
  });

  it('nests fragments unescaped, escapes lists item by item and drops null, undefined and false', () => {
    const items = ['<a>', 'b&'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe('<ul><li>&lt;a&gt;</li><li>b&amp;</li></ul>0');
  });

  it('does not trust a string that merely looks like a fragment', () => {
    const fake = { value: '<script>x</script>' } as unknown as string;
    expect(html`${fake}`.value).toBe('[object Object]');
  });
});
