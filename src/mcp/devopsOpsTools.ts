import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { HealthRecordService } from '../devops/HealthRecordService.js';
import { HostHealthInput, RecordActionInput, RecordHealthInput, RecordIssueInput } from '../devops/healthSchemas.js';
import { GetStateInput, TrackStateInput } from '../devops/infraSchemas.js';
import { InfraStateService } from '../devops/InfraStateService.js';
import { actionLine, changeLine, checkLine, hostHealthText, issueLine, playbookLine, projectHealthText, projectLine, runbookText, stateLine } from '../devops/opsText.js';
import { PlaybookService } from '../devops/PlaybookService.js';
import { UploadPlaybookInput } from '../devops/playbookSchemas.js';
import { CreateProjectInput, ProjectHealthInput, ProjectNameInput } from '../devops/projectSchemas.js';
import { ProjectService } from '../devops/ProjectService.js';
import { GenerateRunbookInput, GetVersionsInput } from '../devops/runbookSchemas.js';
import { RunbookService } from '../devops/RunbookService.js';
import { versionView } from '../devops/versionView.js';
import { InvalidInputError } from '../errors.js';
import type { Call } from '../devops/devopsRecords.js';
import type { DaemonLink } from './DaemonLink.js';
import { guarded, ok } from './results.js';

const write = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
const read = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

/**
 * The devops tools of runbooks, playbooks, infrastructure state, health records and projects.
 * Descriptions are short and there are no output schemas: the whole devops group must stay under
 * the 4k-token budget of issue 14; structuredContent still carries every field.
 */
export function registerDevopsOpsTools(server: McpServer, link: DaemonLink): void {
  const call: Call = (method, params) => link.call(method, params);
  const runbooks = new RunbookService(call);
  const playbooks = new PlaybookService(call);
  const infra = new InfraStateService(call);
  const health = new HealthRecordService(call);
  const projects = new ProjectService(call);
  const tool = <S extends z.ZodObject>(name: string, description: string, inputSchema: S, annotations: typeof read | typeof write, fn: (args: z.infer<S>) => Promise<{ text: string; data: Record<string, unknown> }>) =>
    server.registerTool(name, { description, inputSchema, annotations }, guarded(async (args: z.infer<S>) => {
      const r = await fn(args);
      return ok(r.text, r.data);
    }) as never);

  tool('generate_runbook', 'Write a runbook from a resolved incident or from steps; with runbook_id, edit it (a new version).', GenerateRunbookInput, write, async (a) => {
    const r = await runbooks.generate(a);
    return { text: runbookText(r), data: { runbook: r } };
  });
  tool('get_versions', 'A runbook or playbook: current text and versions, one version, or a diff between versions.', GetVersionsInput, read, async (a) => {
    const { text, ...data } = await versionView(call, a);
    return { text, data };
  });
  tool('upload_playbook', 'Store an Ansible playbook, Terraform file or Kubernetes manifest after checking it; with playbook_id, a new version.', UploadPlaybookInput, write, async (a) => {
    const p = await playbooks.upload(a);
    const { content: _c, ...meta } = p;
    return { text: `Stored ${playbookLine(p)}`, data: { playbook: meta } };
  });
  tool('track_infrastructure_state', "Record a machine's state of one type; answers what changed since the last record.", TrackStateInput, write, async (a) => {
    const r = await infra.track(a);
    const text = r.unchanged ? `Unchanged: ${stateLine(r.record)}` : `Recorded ${stateLine(r.record)}${r.changes.length ? `\n${r.changes.map(changeLine).join('\n')}` : ''}`;
    return { text, data: r };
  });
  tool('get_infrastructure_state', 'Latest state per machine and type, its history, or the change list.', GetStateInput, read, async (a) => {
    const r = await infra.get(a);
    const lines = r.changes ? r.changes.map(changeLine) : (r.records ?? []).map(stateLine);
    return { text: lines.length ? lines.join('\n') : 'Nothing recorded.', data: r };
  });
  tool('record_health', 'Record a health check run (host defaults to this one): checks with status, findings, actions taken.', RecordHealthInput, write, async (a) => {
    const r = await health.recordHealth(a);
    return { text: `Recorded ${checkLine(r)}`, data: { record: r } };
  });
  tool('record_issue', 'Record an issue on a host; it stays open until record_action resolves it.', RecordIssueInput, write, async (a) => {
    const i = await health.recordIssue(a);
    return { text: `Recorded ${issueLine(i)}`, data: { issue: i } };
  });
  tool('record_action', 'Record an action taken on a host, resolving the issues named.', RecordActionInput, write, async (a) => {
    const r = await health.recordAction(a);
    return { text: `Recorded ${actionLine(r.action)}${r.resolved.map((i) => `\nresolved ${issueLine(i)}`).join('')}`, data: r };
  });
  tool('get_host_health', "A host's last health record and its open issues: read this first in a scheduled run.", HostHealthInput, read, async (a) => {
    const h = await health.hostHealth(a);
    return { text: hostHealthText(h), data: h };
  });
  tool('create_project', 'Create a project naming its systems.', CreateProjectInput, write, async (a) => {
    const p = await projects.create(a);
    return { text: `Created project ${projectLine(p)}`, data: { project: p } };
  });
  tool('list_projects', 'Projects and their systems.', z.object({}), read, async () => {
    const list = await projects.list();
    return { text: list.length ? list.map(projectLine).join('\n') : 'No projects.', data: { projects: list, current: link.project ?? null } };
  });
  tool('switch_project_context', "Make a project this session's default for later writes.", ProjectNameInput, write, async (a) => {
    const p = await projects.get(a.project);
    link.project = p.name;
    return { text: `This session now writes to project ${p.name}.`, data: { project: p } };
  });
  tool('project_health_check', 'Open incidents, blocked tasks, stale runbooks, open issues and config drift of a project.', ProjectHealthInput, read, async (a) => {
    const name = a.project ?? link.project;
    if (!name) throw new InvalidInputError('no project given and none switched to (switch_project_context)', { field: 'project' });
    const h = await projects.health(name);
    return { text: projectHealthText(h), data: { ...h } };
  });
}
