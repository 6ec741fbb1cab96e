/**
 * Stable error codes. Code matches on `code`, never on message text.
 * The CLI maps codes to exit statuses (see exitCodeFor) and MCP returns them as tool errors.
 */
export type MeshErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'AMBIGUOUS_ID'
  | 'CONTENT_TOO_LARGE'
  | 'UNKNOWN_CATEGORY'
  | 'ALREADY_DELETED'
  | 'NOT_DELETED'
  | 'ERASED'
  | 'DAEMON_NOT_RUNNING'
  | 'DAEMON_ALREADY_RUNNING'
  | 'DAEMON_START_FAILED'
  | 'HOME_INVALID'
  | 'PROTOCOL_ERROR'
  | 'UNKNOWN_METHOD'
  | 'SHUTTING_DOWN'
  | 'DOCUMENT_DAMAGED'
  | 'TIMEOUT'
  | 'REPLICATION_UNAVAILABLE'
  | 'PORT_IN_USE'
  | 'INVITE_REFUSED'
  | 'MODEL_UNAVAILABLE'
  | 'TASK_BLOCKED'
  | 'DEPENDENCY_CYCLE'
  | 'HAS_DEPENDENTS'
  | 'NOT_REGISTERED'
  /** A membership, team or admin change this host's key has no right to make (see docs/ARCHITECTURE.md, trust). */
  | 'NOT_AUTHORISED'
  /** An operation would move data of a narrower scope (private, team) into a wider one. */
  | 'SCOPE_MISMATCH'
  | 'CONFIRMATION_REQUIRED'
  /** A vault key is sealed by a passphrase not given, or a vault generation is not wrapped for this host. */
  | 'VAULT_LOCKED'
  /** A config or note that carries a secret, refused before it reaches a replicated document (it belongs in a vault). */
  | 'SECRET_REFUSED'
  /** A memory write whose text looks like a credential (key format or random token); the vault is where it belongs, `allow_secret` insists. */
  | 'SECRET_DETECTED'
  /** A write the session's mode does not allow (solo keeps writes on this host, team keeps them in the team). */
  | 'MODE_CONFLICT'
  /** An invite whose inviter key does not match the fingerprint it carries or the one the joiner was told: a substituted key. */
  | 'INVITE_KEY_MISMATCH'
  | 'TOO_MANY_CONNECTIONS'
  | 'INTERNAL';

export class MeshError extends Error {
  override readonly name: string = 'MeshError';
  constructor(
    readonly code: MeshErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export interface SerializedError {
  code: MeshErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class NotFoundError extends MeshError {
  override readonly name = 'NotFoundError';
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} not found`, { id });
  }
}

export class InvalidInputError extends MeshError {
  override readonly name = 'InvalidInputError';
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_INPUT', message, details);
  }
}

/** Turns anything thrown into a MeshError, keeping unknown failures generic so internals don't leak. */
export function toMeshError(err: unknown): MeshError {
  if (err instanceof MeshError) return err;
  if (isSerializedError(err)) return new MeshError(err.code, err.message, err.details);
  const message = err instanceof Error ? err.message : String(err);
  return new MeshError('INTERNAL', message);
}

export function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Exit statuses of the CLI, by error code; documented in the README. */
export function exitCodeFor(code: MeshErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'CONTENT_TOO_LARGE':
    case 'UNKNOWN_CATEGORY':
    case 'DEPENDENCY_CYCLE':
    case 'NOT_REGISTERED':
    case 'SCOPE_MISMATCH':
    case 'AMBIGUOUS_ID':
    case 'CONFIRMATION_REQUIRED':
    case 'SECRET_REFUSED':
    case 'SECRET_DETECTED':
    case 'MODE_CONFLICT':
      return 2;
    case 'NOT_FOUND':
    case 'ERASED':
      return 3;
    case 'DAEMON_NOT_RUNNING':
    case 'DAEMON_ALREADY_RUNNING':
    case 'DAEMON_START_FAILED':
      return 4;
    case 'HOME_INVALID':
      return 5;
    default:
      return 1;
  }
}
