import { describe, expect, it } from 'vitest';
import { checkPlaybook } from '../../../src/devops/playbookParse.js';
import { MeshError } from '../../../src/errors.js';

/** The error a check throws: code, message and the position details. */
async function refusal(fn: () => Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof MeshError) return { code: e.code, message: e.message, details: e.details ?? {} };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('playbook checks', () => {
  it("refuses broken YAML with the parser's line and column, in any document of a manifest", async () => {
    const ansible = await refusal(() => checkPlaybook('ansible', '- hosts: web\n  tasks:\n    - name: "unclosed\n'));
    expect(ansible.code).toBe('INVALID_INPUT');
    // An unclosed quote runs to the end of the input: the parser reports where it ran out.
    expect(ansible.details).toEqual({ line: 4, column: 1, yaml_code: 'MISSING_CHAR' });
    const third = await refusal(() => checkPlaybook('kubernetes', 'apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n---\napiVersion: v1\nkind: C\nkind: D\n'));
    expect(third.details).toEqual({ line: 9, column: 1, yaml_code: 'DUPLICATE_KEY' });
    expect((await refusal(() => checkPlaybook('kubernetes', 'a: 1\na: 2\n'))).details).toMatchObject({ line: 2, column: 1, yaml_code: 'DUPLICATE_KEY' });
  });

  it('names what it found: plays, imports and tasks; Kubernetes objects; empty documents skipped', async () => {
    expect((await checkPlaybook('ansible', '- import_playbook: db.yml\n- hosts: all\n  name: base\n')).items).toEqual(['import db.yml', 'play base on all']);
    expect((await checkPlaybook('ansible', '- name: install\n  apt: { name: nginx }\n')).items).toEqual(['task install']);
    expect((await checkPlaybook('kubernetes', '---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n---\n')).items).toEqual(['ConfigMap/c']);
    expect((await refusal(() => checkPlaybook('ansible', 'hosts: web\n'))).message).toMatch(/list of plays or tasks/);
    expect((await refusal(() => checkPlaybook('kubernetes', '---\n'))).message).toMatch(/no Kubernetes object/);
  });

  it('stops a YAML alias bomb instead of expanding it', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(',')}]`)].join('\n');
    expect((await refusal(() => checkPlaybook('kubernetes', `${bomb}\n`))).message).toMatch(/^the YAML could not be read: Excessive alias count/);
  });
});
