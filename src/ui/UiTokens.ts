import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { readJsonFile, writeJsonFileAtomic } from '../jsonFile.js';

/** What a dashboard token allows: looking, or looking and moving cards / commenting. */
export type UiAccess = 'read' | 'write';

const TokenFile = z.object({ read: z.string().min(32).max(200), write: z.string().min(32).max(200) });
type TokenFile = z.infer<typeof TokenFile>;

/** 32 random bytes: guessing one is out of reach even for a local process that can try fast. */
const TOKEN_BYTES = 32;

function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Fixed-length digests, so the comparison takes the same time whatever the given token's length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The per-home dashboard tokens (`ui-tokens.json`, mode 0600 in the 0700 home): one read-only,
 * one that also writes. They persist, so a bookmarked URL keeps working after a restart; deleting
 * the file revokes both (new ones are made at the next `mesh ui`).
 */
export class UiTokens {
  private constructor(private readonly tokens: TokenFile) {}

  static async load(path: string): Promise<UiTokens> {
    const found = await readJsonFile(path, TokenFile, 'delete it and run `mesh ui` again for new tokens');
    if (found) return new UiTokens(found);
    const made = { read: newToken(), write: newToken() };
    await writeJsonFileAtomic(path, made);
    return new UiTokens(made);
  }

  token(access: UiAccess): string {
    return this.tokens[access];
  }

  /** Which access a presented token grants, compared in constant time against both tokens. */
  accessOf(given: string | undefined): UiAccess | undefined {
    if (given === undefined || given.length === 0 || given.length > 200) return undefined;
    const g = digest(given);
    // Both comparisons always run: which one matched does not show in the timing either.
    const isWrite = timingSafeEqual(g, digest(this.tokens.write));
    const isRead = timingSafeEqual(g, digest(this.tokens.read));
    return isWrite ? 'write' : isRead ? 'read' : undefined;
  }

  /**
   * The anti-CSRF value a page carries for its session: derived from the session's token, so it
   * needs no storage, and useless to anyone who cannot already read the page.
   */
  csrfFor(token: string): string {
    return createHmac('sha256', this.tokens.write).update(`csrf:${token}`).digest('base64url');
  }

  csrfMatches(token: string, given: string | undefined): boolean {
    if (given === undefined || given.length > 200) return false;
    return timingSafeEqual(digest(this.csrfFor(token)), digest(given));
  }
}
