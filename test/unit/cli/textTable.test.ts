import { describe, expect, it } from 'vitest';
import { textTable } from '../../../src/cli/textTable.js';

describe('textTable', () => {
  it('aligns every column but the last under its header', () => {
    const out = textTable(['ID', 'SEVERITY', 'TITLE'], [
      ['a1', 'critical', 'db-2 down'],
      ['b2222', 'low', 'slow dns'],
    ]);
    expect(out.split('\n')).toEqual(['ID     SEVERITY  TITLE', 'a1     critical  db-2 down', 'b2222  low       slow dns']);
  });

  it('keeps a record on its row when a cell holds a newline, and fills missing cells', () => {
    const out = textTable(['ID', 'TITLE'], [['x', 'two\nlines'], ['y']]);
    expect(out.split('\n')).toEqual(['ID  TITLE', 'x   two lines', 'y']);
  });
});
