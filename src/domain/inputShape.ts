/**
 * Bounds on the shape of user-supplied JSON, checked without recursion so that no input, however
 * deep, can overflow the stack (schema validators and JSON.stringify recurse; this walk does not).
 */
export interface ShapeLimits {
  /** Deepest nesting of objects and arrays; the value itself is level 1. */
  depth: number;
  /** Object keys in the whole value. */
  keys?: number;
  keyChars?: number;
  /** Items of any one array. */
  arrayItems?: number;
}

export interface ShapeProblem {
  path: (string | number)[];
  message: string;
}

/** Path segments shown in a message before the middle is elided. */
const MAX_SHOWN_PATH = 6;

/** A UTF-16 half without its partner: not Unicode text, and stored as U+FFFD by every encoder. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

const LONE_SURROGATE_MESSAGE = 'contains a lone surrogate (half of a UTF-16 pair), which is not valid Unicode text; it would be stored as U+FFFD';

/** The first way `value` breaks `limits` (or is not JSON text-safe), or undefined when it keeps them. */
export function findShapeProblem(value: unknown, limits: ShapeLimits): ShapeProblem | undefined {
  const stack: { value: unknown; path: (string | number)[]; depth: number }[] = [{ value, path: [], depth: 1 }];
  let keys = 0;
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) return { path, message: LONE_SURROGATE_MESSAGE };
      continue;
    }
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path, message: 'must be a finite number' };
      continue;
    }
    if (typeof v !== 'object') return { path, message: `must be JSON (found a ${typeof v})` };
    if (depth > limits.depth) return { path, message: `is nested deeper than ${limits.depth} levels` };
    if (Array.isArray(v)) {
      if (limits.arrayItems !== undefined && v.length > limits.arrayItems) return { path, message: `has ${v.length} items; at most ${limits.arrayItems} are allowed` };
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i] as unknown, path: [...path, i], depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    keys += entries.length;
    if (limits.keys !== undefined && keys > limits.keys) return { path, message: `has more than ${limits.keys} keys in all` };
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (limits.keyChars !== undefined && key.length > limits.keyChars) return { path, message: `has a key of ${key.length} characters; at most ${limits.keyChars} are allowed` };
      if (hasLoneSurrogate(key)) return { path, message: `has a key that ${LONE_SURROGATE_MESSAGE}` };
      // JSON.parse makes "__proto__" an own key, but copying it into an object sets a prototype instead.
      if (key === '__proto__') return { path, message: 'has the key "__proto__", which is not allowed' };
      stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return undefined;
}

/** "metadata.a.b: is nested deeper than 16 levels", naming the field so a caller can fix it. */
export function describeShapeProblem(problem: ShapeProblem, prefix: (string | number)[] = []): string {
  const path = [...prefix, ...problem.path];
  if (path.length === 0) return problem.message;
  // A deep path is cut in the middle: its start names the field, its length is in the message.
  const shown = path.length > MAX_SHOWN_PATH ? [...path.slice(0, MAX_SHOWN_PATH - 1), '…', path[path.length - 1]] : path;
  return `${shown.join('.')}: ${problem.message}`;
}
