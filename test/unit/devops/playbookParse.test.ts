import { describe, expect, it } from 'vitest';
import { checkPlaybook, checkTerraform } from '../../../src/devops/playbookParse.js';
import { MeshError } from '../../../src/errors.js';

/** The error a check throws: code, message and the position details. */
function refusal(fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    if (e instanceof MeshError) return { code: e.code, message: e.message, details: e.details ?? {} };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('playbook checks', () => {
  it("refuses broken YAML with the parser's line and column, in any document of a manifest", () => {
    const ansible = refusal(() => checkPlaybook('ansible', '- hosts: web\n  tasks:\n    - name: "unclosed\n'));
    expect(ansible.code).toBe('INVALID_INPUT');
    // An unclosed quote runs to the end of the input: the parser reports where it ran out.
    expect(ansible.details).toEqual({ line: 4, column: 1, yaml_code: 'MISSING_CHAR' });
    const third = refusal(() => checkPlaybook('kubernetes', 'apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n---\napiVersion: v1\nkind: C\nkind: D\n'));
    expect(third.details).toEqual({ line: 9, column: 1, yaml_code: 'DUPLICATE_KEY' });
    expect(refusal(() => checkPlaybook('kubernetes', 'a: 1\na: 2\n')).details).toMatchObject({ line: 2, column: 1, yaml_code: 'DUPLICATE_KEY' });
  });

  it('names what it found: plays, imports and tasks; Kubernetes objects; empty documents skipped', () => {
    expect(checkPlaybook('ansible', '- import_playbook: db.yml\n- hosts: all\n  name: base\n').items).toEqual(['import db.yml', 'play base on all']);
    expect(checkPlaybook('ansible', '- name: install\n  apt: { name: nginx }\n').items).toEqual(['task install']);
    expect(checkPlaybook('kubernetes', '---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n---\n').items).toEqual(['ConfigMap/c']);
    expect(refusal(() => checkPlaybook('ansible', 'hosts: web\n')).message).toMatch(/list of plays or tasks/);
    expect(refusal(() => checkPlaybook('kubernetes', '---\n')).message).toMatch(/no Kubernetes object/);
  });

  it('stops a YAML alias bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(',')}]`)].join('\n');
    expect(refusal(() => checkPlaybook('kubernetes', `${bomb}\n`)).message).toMatch(/^the YAML could not be read: Excessive alias count/);
  });

  it('Terraform: unbalanced brackets, unterminated strings, heredocs and comments are refused with their position', () => {
    expect(refusal(() => checkTerraform('resource "a" "b" {\n  x = [1, 2\n}\n')).message).toBe('"}" closes "[" opened at line 2, column 7 (line 3, column 1)');
    expect(refusal(() => checkTerraform('resource "a" "b" {\n  x = "open\n}\n')).details).toEqual({ line: 2, column: 7 });
    expect(refusal(() => checkTerraform('locals {\n  x = <<EOT\nabc\n')).message).toMatch(/heredoc <<EOT is never closed \(line 2, column 7\)/);
    expect(refusal(() => checkTerraform('/* open\nresource "a" "b" {}\n')).details).toEqual({ line: 1, column: 1 });
    expect(refusal(() => checkTerraform('}\n')).message).toBe('unexpected "}" (line 1, column 1)');
    expect(refusal(() => checkTerraform('x = 1\n')).message).toMatch(/no Terraform block/);
  });

  it('Terraform: braces inside strings, comments and heredocs do not count; blocks are named', () => {
    const tf = [
      '# a comment with {',
      'variable "region" {',
      '  default = "eu-{west}-1" // and }',
      '}',
      'resource "aws_instance" "web" {',
      '  user_data = <<-EOT',
      '    echo "{"',
      '    EOT',
      '  tags = { Name = "web\\"}" }',
      '}',
      'terraform {',
      '}',
    ].join('\n');
    expect(checkTerraform(tf).items).toEqual(['variable.region', 'resource.aws_instance.web', 'terraform']);
  });
});
