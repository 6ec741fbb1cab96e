import { describe, expect, it } from 'vitest';
import { claudeProjectSlug } from '../../../src/transcripts/claudeMemoryDir.js';
import { markdownSections } from '../../../src/transcripts/markdownSections.js';

describe('markdown sections of a Claude Code memory file', () => {
  it('splits at headings with their outer path, keeps fenced # lines as body, drops empty sections', () => {
    const text = ['intro line', '# Title', '', '## A', 'a body', '```sh', '# not a heading', '```', '## B ##', '### B1', 'b1 body', '#nospace is text', '# Next', 'n'].join('\n');
    expect(markdownSections(text)).toEqual([
      { headings: [], body: 'intro line' },
      { headings: ['Title', 'A'], body: 'a body\n```sh\n# not a heading\n```' },
      { headings: ['Title', 'B', 'B1'], body: 'b1 body\n#nospace is text' },
      { headings: ['Next'], body: 'n' },
    ]);
  });

  it('names project folders the way Claude Code does', () => {
    expect(claudeProjectSlug('/home/dev/my.app_v2')).toBe('-home-dev-my-app-v2');
  });
});
