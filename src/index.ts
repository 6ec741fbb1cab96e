// The package's public API for programs that embed hivemesh: talk to a host's daemon over its
// local socket, with the same errors and types the CLI and the MCP server use. Re-exports only.
import './polyfills.js';

export { DaemonClient } from './ipc/DaemonClient.js';
export { MeshError, NotFoundError, InvalidInputError, exitCodeFor, type MeshErrorCode, type SerializedError } from './errors.js';
export { homePaths, resolveHome, type HomePaths } from './home.js';
export { SCOPES, type Memory, type Scope, type JsonValue } from './domain/Memory.js';
export type { Actor, Collection, MemoryId, TaskId, VaultId, PeerIdString } from './types.js';
