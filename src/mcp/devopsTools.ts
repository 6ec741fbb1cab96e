import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { registerDevopsOpsTools } from './devopsOpsTools.js';
import { type Correlation, IncidentService } from '../devops/IncidentService.js';
import { ListIncidentsInput, RecordIncidentInput, UpdateIncidentInput } from '../devops/incidentSchemas.js';
import { incidentLine, incidentText } from '../devops/incidentText.js';
import type { DaemonLink } from './DaemonLink.js';
import { registerConfigTools } from './configTools.js';
import { guarded, ok } from './results.js';

const IncidentOut = z.looseObject({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  severity: z.string(),
  affected_systems: z.array(z.string()),
  related: z.array(z.looseObject({ id: z.string(), why: z.string() })),
});
const RecordOut = z.looseObject({ incident: IncidentOut, correlations: z.array(z.looseObject({ id: z.string(), kind: z.string(), why: z.string() })) });
const ListOut = z.looseObject({ incidents: z.array(IncidentOut) });

const write = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
const read = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

function correlationLine(c: Correlation): string {
  const fix = c.resolution ? ` Fixed by: ${c.resolution.slice(0, 300)}` : '';
  return `- ${c.kind} ${c.id} "${c.title}"${c.status ? ` [${c.status}]` : ''}: ${c.why}.${fix}`;
}

/** The devops group: incidents (more arrive with #13's later items). Records are memories with structure. */
export function registerDevopsTools(server: McpServer, link: DaemonLink): void {
  const incidents = new IncidentService((method, params) => link.call(method, params));
  registerDevopsOpsTools(server, link);

  server.registerTool(
    'record_incident',
    { title: 'Record an incident', description: 'Record an outage or failure. Returns similar past incidents and runbooks with why they match (shared systems, error tokens, symptoms) and links them both ways.', inputSchema: RecordIncidentInput, outputSchema: RecordOut, annotations: write },
    guarded(async (args) => {
      const r = await incidents.record(args);
      const past = r.correlations.length ? `\nSimilar past records:\n${r.correlations.map(correlationLine).join('\n')}` : '\nNo similar past incident or runbook.';
      return ok(`Recorded incident ${incidentLine(r.incident)}${past}`, { ...r });
    }),
  );
  server.registerTool(
    'update_incident',
    { title: 'Update an incident', description: 'Change status or severity, add a finding, or resolve (status resolved with a resolution; time to resolve is computed).', inputSchema: UpdateIncidentInput, outputSchema: IncidentOut, annotations: write },
    guarded(async (args) => {
      const i = await incidents.update(args);
      return ok(incidentText(i), { ...i });
    }),
  );
  server.registerTool(
    'list_incidents',
    { title: 'List incidents', description: 'Incidents newest first with their links; filter by system, severity, status (or unresolved) and opening time.', inputSchema: ListIncidentsInput, outputSchema: ListOut, annotations: read },
    guarded(async (args) => {
      const list = await incidents.list(args);
      const text = list.length ? list.map((i) => `${incidentLine(i)}${i.related.length ? `\n   related: ${i.related.map((r) => r.id).join(', ')}` : ''}`).join('\n') : 'No incidents match.';
      return ok(text, { incidents: list });
    }),
  );
  registerConfigTools(server, link);
}
