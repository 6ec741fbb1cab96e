import { describe, expect, it } from 'vitest';
import { shellQuote, shellWords } from '../../../src/claude/claudeSettings.js';

describe('shellWords', () => {
  it('reads back the words shellQuote wrote, spaces and quotes included', () => {
    const words = ['/usr/bin/node', "/home/o'brien/my checkout/dist/src/cli/hookMain.js", 'session-start', '--home', '/tmp/a b'];
    expect(shellWords(words.map(shellQuote).join(' '))).toEqual(words);
    expect(shellWords('mesh hook session-start')).toEqual(['mesh', 'hook', 'session-start']);
  });
});
