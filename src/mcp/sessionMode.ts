import { MeshError } from '../errors.js';
import type { Memory } from '../domain/Memory.js';
import { scopeForMode, type ModeState } from '../teams/modes.js';
import type { DaemonLink } from './DaemonLink.js';

/**
 * The operating mode of one MCP session (teams/modes.ts), held by the session's own `mesh mcp`
 * process: it survives a daemon restart (a solo session never starts writing mesh-wide because
 * the daemon forgot it), and ends with the session. It starts as the home's configured default.
 */
export class SessionMode {
  private state: ModeState | undefined;
  private loading: Promise<ModeState> | undefined;

  constructor(private readonly link: DaemonLink) {}

  async get(): Promise<ModeState> {
    if (this.state) return this.state;
    // A failed look-up (the daemon could not start) is forgotten, so the next call asks again
    // instead of failing every write of the session for good.
    this.loading ??= this.link.call('mode.default', {}).then(
      (d) => (this.state ??= d),
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  set(state: ModeState): void {
    this.state = state;
  }

  /** A store_memory request with the scope (and team) the mode gives it; MODE_CONFLICT when it asks wider. */
  async applyToStore<T extends { scope?: 'mesh' | 'team' | 'private'; team?: string }>(args: T): Promise<T> {
    const state = await this.get();
    const decided = scopeForMode(state, args.scope);
    if ('conflict' in decided) throw new MeshError('MODE_CONFLICT', decided.conflict, { mode: state.mode });
    if (decided.scope === 'team' && args.team !== undefined && decided.team !== undefined && args.team !== decided.team) {
      throw new MeshError('MODE_CONFLICT', `this session is in team mode for team ${decided.team}, not ${args.team}; set_mode to change it`, { mode: state.mode });
    }
    const team = decided.scope === 'team' ? (decided.team ?? args.team) : undefined;
    const { team: _asked, ...rest } = args;
    return { ...rest, scope: decided.scope, ...(team !== undefined ? { team } : {}) } as T;
  }

  /**
   * Refuses a change to an existing memory that would leave the mode's reach (a solo session editing
   * a shared memory); answers the memory's scope, which the change's result reports.
   */
  async checkExisting<M extends Pick<Memory, 'scope' | 'team'>>(load: () => Promise<M>): Promise<M> {
    const state = await this.get();
    const memory = await load();
    if (state.mode !== 'solo' && state.mode !== 'team') return memory;
    if (state.mode === 'solo' && memory.scope !== 'private') throw new MeshError('MODE_CONFLICT', `this session is in solo mode: changing a ${memory.scope}-scoped memory would replicate the change; set_mode to change it`, { mode: 'solo' });
    if (state.mode === 'team' && (memory.scope === 'mesh' || (memory.scope === 'team' && state.team !== undefined && memory.team !== undefined && memory.team !== state.team))) {
      throw new MeshError('MODE_CONFLICT', `this session is in team mode (team ${state.team ?? '?'}): this memory is shared beyond the team; set_mode to change it`, { mode: 'team' });
    }
    return memory;
  }
}

const modes = new WeakMap<DaemonLink, SessionMode>();

/** The mode of the session a link serves (one link per MCP session). */
export function sessionModeOf(link: DaemonLink): SessionMode {
  let mode = modes.get(link);
  if (!mode) modes.set(link, (mode = new SessionMode(link)));
  return mode;
}

/** "scope team (team ops)" / "scope private": what every write result says. */
export function scopeText(m: Pick<Memory, 'scope' | 'team'>): string {
  return `scope ${m.scope}${m.team ? ` (team ${m.team})` : ''}`;
}
