import type { VaultService } from '../vault/VaultService.js';
import { MAX_BRIEFING_SECRET_NAMES, MAX_BRIEFING_VAULTS } from './constants.js';

/**
 * The briefing's vault lines: the vaults this host can open, those whose name holds the project's
 * first, each with the names of its secrets (names are visible to every mesh member; values are
 * never read here, so a sealed home without its passphrase briefs the same).
 */
export async function briefingVaultNames(vaults: Pick<VaultService, 'list' | 'state'> | undefined, project: string | undefined): Promise<string[]> {
  if (!vaults) return [];
  // A vault that cannot be read costs the session this section, never its briefing.
  const open = await vaults.list().catch(() => []);
  const p = project?.toLowerCase();
  const ordered = [...open].sort((a, b) => Number(p !== undefined && b.name.toLowerCase().includes(p)) - Number(p !== undefined && a.name.toLowerCase().includes(p)));
  const lines: string[] = [];
  for (const v of ordered.slice(0, MAX_BRIEFING_VAULTS)) {
    const names = [...((await vaults.state(v.id).catch(() => undefined))?.entries.keys() ?? [])].sort();
    const shown = names.slice(0, MAX_BRIEFING_SECRET_NAMES).join(', ');
    const more = names.length > MAX_BRIEFING_SECRET_NAMES ? `, +${names.length - MAX_BRIEFING_SECRET_NAMES} more` : '';
    lines.push(`${v.name} (${v.type} · ${v.access ?? 'no access'} · ${names.length} secret${names.length === 1 ? '' : 's'}${shown ? `: ${shown}${more}` : ''}) — retrieve_from_vault with an audit_reason`);
  }
  return lines;
}
