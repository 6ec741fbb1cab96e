import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../../src/cli/terminalSafe.js';

describe('terminalSafe', () => {
  it('escapes what a terminal would act on, keeps newlines, tabs and ordinary text', () => {
    expect(terminalSafe('a\u001b[2Jb\u0007c\rd\u009be\u202ef\tg\nh é 🐝')).toBe('a\\x1b[2Jb\\x07c\\x0dd\\x9be\\u202ef\tg\nh é 🐝');
  });
});
