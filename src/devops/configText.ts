import { changeText, type ConfigDiff, type ConfigSnapshot, type DriftReport } from './ConfigService.js';
import type { SettingChange } from './configKeys.js';
import type { DistributionStatus } from './distribution/DistributionService.js';
import type { LogAnalysis } from './logPatterns.js';

/** Readable forms of config results, shared by the devops tools and `mesh config`. */
export function snapshotLine(s: ConfigSnapshot): string {
  return `${s.id} ${s.config_type} on ${s.system} (${s.path}) sha256 ${s.sha256.slice(0, 12)} at ${s.taken_at}${s.baseline ? ' [baseline]' : ''}`;
}

export function changesText(changes: readonly SettingChange[], max = 20): string {
  if (changes.length === 0) return 'no setting changed';
  const shown = changes.slice(0, max).map((c) => `  ${changeText(c)}`);
  return [...shown, ...(changes.length > max ? [`  ... and ${changes.length - max} more`] : [])].join('\n');
}

export function diffText(d: ConfigDiff): string {
  if (d.identical) return `${d.from.system} and ${d.to.system} hold the same ${d.to.config_type} (sha256 ${d.to.sha256.slice(0, 12)})`;
  return `${d.from.system}:${d.from.path} → ${d.to.system}:${d.to.path} (${d.format})\nChanged settings:\n${changesText(d.changes)}\n\n${d.unified}`;
}

export function driftText(r: DriftReport): string {
  const lines = [`${r.config_type} on ${r.systems.length} systems (${r.systems.join(', ')})`, r.summary];
  for (const o of r.peers.odd) {
    if (o.lines.added.length) lines.push(`  ${o.system} only: ${o.lines.added.join(' | ')}`);
    if (o.lines.missing.length) lines.push(`  ${o.system} lacks: ${o.lines.missing.join(' | ')}`);
  }
  if (r.unified) lines.push('', r.unified);
  return lines.join('\n');
}

export function distributionText(d: DistributionStatus): string {
  const head = `${d.dry_run ? 'Dry run ' : ''}${d.id}: ${d.flavour} config for ${d.path} to ${d.targets.join(', ')} by ${d.author}`;
  const rows = d.outcomes.map((o) => `  ${o.host}: ${o.status}${o.verified ? '' : ' (UNVERIFIED report)'} - ${o.reason}${o.backup ? ` (previous kept at ${o.backup})` : ''}${o.diff ? `\n${o.diff.replace(/^/gm, '    ')}` : ''}`);
  const pending = d.pending.length ? [`  waiting for: ${d.pending.join(', ')}`] : [];
  return [head, ...rows, ...pending].join('\n');
}

export function logText(r: LogAnalysis): string {
  const rows = r.templates.map((t) => `${String(t.count).padStart(6)}  ${t.template}${t.new ? '  [NEW]' : ''}${t.first_seen ? `  (${t.first_seen} .. ${t.last_seen})` : `  (lines ${t.first_line}..${t.last_line})`}`);
  return [`${r.lines} lines, ${r.templates.length + r.more} templates${r.more ? ` (${r.more} rarest not shown)` : ''}`, ...rows].join('\n');
}
