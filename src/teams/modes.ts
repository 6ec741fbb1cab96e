/**
 * Operating modes of an MCP session: what its writes share.
 * - mesh: every member (today's default; the three modes below narrow it);
 * - solo: this host only (scope private), whatever a tool is asked;
 * - team: the named team this host writes in (scope team);
 * - vault: the vault tools with a vault context: the named vault is the default of those tools.
 */
export const MODES = ['mesh', 'solo', 'team', 'vault'] as const;
export type Mode = (typeof MODES)[number];

export interface ModeState {
  mode: Mode;
  /** The team of team mode. */
  team?: string;
  /** The vault context of vault mode (passed as the default vault by the vault tools). */
  vault?: string;
}

export const MODE_DESCRIPTIONS: Record<Mode, string> = {
  mesh: 'writes replicate to every host of the mesh (memories default to scope "mesh")',
  solo: 'writes stay on this host: every memory is stored with scope "private"; nothing this session stores leaves it',
  team: 'writes go to one team: every memory is stored with scope "team" in the named team this host writes in',
  vault: 'opens the vault tools with a vault context: the named vault is their default; memory writes keep mesh scope unless asked narrower',
};

/** Scope a write may have in each mode: the mode narrows, never widens. */
export function scopeForMode(state: ModeState, asked: 'mesh' | 'team' | 'private' | undefined): { scope: 'mesh' | 'team' | 'private'; team?: string } | { conflict: string } {
  switch (state.mode) {
    case 'solo':
      if (asked !== undefined && asked !== 'private') return { conflict: `this session is in solo mode: its writes stay on this host (scope private), not ${asked}; set_mode to change it` };
      return { scope: 'private' };
    case 'team':
      if (asked === 'mesh') return { conflict: `this session is in team mode (team ${state.team ?? '?'}): its writes stay in the team, not the whole mesh; set_mode to change it` };
      if (asked === 'private') return { scope: 'private' };
      return { scope: 'team', ...(state.team !== undefined ? { team: state.team } : {}) };
    default:
      return { scope: asked ?? 'mesh' };
  }
}
