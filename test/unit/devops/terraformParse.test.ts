import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPlaybook } from '../../../src/devops/playbookParse.js';
import { MeshError } from '../../../src/errors.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/terraform/${name}`, import.meta.url), 'utf8');
const terraform = (content: string) => checkPlaybook('terraform', content);

/** The error a check throws: code, message and the position details. */
async function refusal(check: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await check;
  } catch (e) {
    if (e instanceof MeshError) return { code: e.code, message: e.message, details: e.details ?? {} };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('Terraform playbooks through the HCL parser', () => {
  it("refuses a broken .tf with the parser's line and column", async () => {
    // network.tf with a comma after an argument (line 119), which balanced brackets do not catch.
    const broken = await refusal(terraform(fixture('broken.tf')));
    expect(broken.code).toBe('INVALID_INPUT');
    expect(broken.details).toEqual({ line: 119, column: 30, hcl_summary: 'Unexpected comma after argument' });
    expect(broken.message).toMatch(/^HCL error: Unexpected comma after argument: Argument definitions must be separated by newlines, not commas\..* \(line 119, column 30\)$/);
    // The first of several diagnostics is the one answered.
    expect((await refusal(terraform('resource "a" "b" {\n  x = [1, 2\n}\n'))).details).toEqual({ line: 3, column: 1, hcl_summary: 'Missing item separator' });
    expect((await refusal(terraform('resource "a" "b" {\n  x = "open\n}\n'))).details).toMatchObject({ line: 2, column: 12, hcl_summary: 'Invalid multi-line string' });
  });

  it('parses a valid .tf and names its top-level blocks, one-line blocks included and nested ones not', async () => {
    const summary = await terraform(fixture('network.tf'));
    expect(summary.documents).toBe(1);
    expect(summary.items).toEqual([
      'terraform',
      'provider.aws',
      'provider.aws',
      'variable.allowed_cidrs',
      'variable.environment',
      'variable.instance_count',
      'variable.ports',
      'variable.region',
      'locals',
      'data.aws_ami.ubuntu',
      'data.aws_availability_zones.available',
      'resource.aws_instance.web',
      'resource.aws_internet_gateway.gw',
      'resource.aws_lb.web',
      'resource.aws_lb_target_group.web',
      'resource.aws_lb_target_group_attachment.web',
      'resource.aws_route_table.public',
      'resource.aws_route_table_association.public',
      'resource.aws_security_group.web',
      'resource.aws_subnet.public',
      'resource.aws_vpc.main',
      'module.dns',
      'output.instance_ids',
      'output.lb_dns_name',
      'moved',
    ]);
    expect((await refusal(terraform('x = 1\n'))).message).toMatch(/no Terraform block/);
  });

  it('refuses nesting that would overflow the parser before it runs, with the position', async () => {
    const deep = await refusal(terraform(`locals {\n  x = ${'['.repeat(300)}${']'.repeat(300)}\n}\n`));
    expect(deep.details).toEqual({ line: 2, column: 206 });
    expect(deep.message).toMatch(/^brackets nested deeper than 200 levels/);
  });

  it('survives an expression that overflows the parser: refused, and the next file gets a fresh parser', async () => {
    // 30,000 negations nest without brackets; the overflow leaves the parser's Go runtime corrupted
    // (its next call would die with "fatal error: schedule: holding locks").
    const overflow = await refusal(terraform(`locals {\n  x = ${'!'.repeat(30_000)}true\n}\n`));
    expect(overflow.code).toBe('INVALID_INPUT');
    expect(overflow.message).toMatch(/^the Terraform parser ran out of stack on this file/);
    expect((await terraform('module "m" { source = "./m" }\n')).items).toEqual(['module.m']);
  });
});
