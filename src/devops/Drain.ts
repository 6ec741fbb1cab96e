import { DRAIN_DEPTH, DRAIN_MAX_CHILDREN, DRAIN_SIMILARITY } from '../constants.js';

/**
 * Drain (He, Zhu, Zheng, Lyu: "Drain: An Online Log Parsing Approach with Fixed Depth Tree",
 * ICWS 2017), the algorithm behind the Python drain3 miner. Implemented here because no maintained
 * Node library exists (npm names checked: drain, drain3, log-template, log-pattern: none).
 *
 * A line is split into tokens; the tree's first level is the token count, the next DEPTH-2 levels
 * are the leading tokens (a token with a digit goes under the wildcard, since it is likely a
 * variable); a leaf holds clusters. A line joins the leaf's most similar cluster when the share of
 * positions with equal tokens reaches the threshold, and positions that differ become `<*>`.
 * Variables that are easy to recognise (IPs, numbers, hex ids, UUIDs, paths with digits) are
 * masked before mining, as drain3 does, so they never split a template.
 */
export const WILDCARD = '<*>';

export interface Cluster {
  id: number;
  tokens: string[];
  count: number;
}

interface Node {
  children: Map<string, Node>;
  clusters: Cluster[];
}

const MASKS: readonly [RegExp, string][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<UUID>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<IP>'],
  [/\b0x[0-9a-f]+\b/gi, '<HEX>'],
  [/\b[0-9a-f]{12,}\b/gi, '<HEX>'],
  [/(?<![A-Za-z])-?\d+(?:\.\d+)?(?:ms|s|m|h|kb|mb|gb|b|%)?(?![A-Za-z])/gi, '<NUM>'],
];

/** The line with easy variables replaced by their kind (`<IP>`, `<NUM>`, …). */
export function maskLine(line: string): string {
  let out = line;
  for (const [regex, name] of MASKS) out = out.replace(regex, name);
  return out;
}

const hasDigit = (t: string) => /\d/.test(t);

export class Drain {
  private readonly root: Node = { children: new Map(), clusters: [] };
  private readonly clusters: Cluster[] = [];

  constructor(
    private readonly similarity = DRAIN_SIMILARITY,
    private readonly depth = DRAIN_DEPTH,
    private readonly maxChildren = DRAIN_MAX_CHILDREN,
  ) {}

  /** Adds one (already masked) line; returns the cluster it joined or started. */
  add(line: string): Cluster {
    const tokens = line.trim().split(/\s+/).filter(Boolean);
    const leaf = this.leafFor(tokens);
    const match = this.bestMatch(leaf.clusters, tokens);
    if (match) {
      match.tokens = match.tokens.map((t, i) => (t === tokens[i] ? t : WILDCARD));
      match.count++;
      return match;
    }
    const cluster: Cluster = { id: this.clusters.length + 1, tokens, count: 1 };
    this.clusters.push(cluster);
    leaf.clusters.push(cluster);
    return cluster;
  }

  all(): readonly Cluster[] {
    return this.clusters;
  }

  /** Walks (creating as needed) the length node and DEPTH-2 token levels; the leaf holds the clusters. */
  private leafFor(tokens: readonly string[]): Node {
    let node = child(this.root, String(tokens.length));
    const levels = Math.min(this.depth - 2, tokens.length);
    for (let i = 0; i < levels; i++) {
      const t = tokens[i]!;
      const key = hasDigit(t) ? WILDCARD : t;
      // A full level sends new tokens to the wildcard branch, which keeps the tree bounded.
      const existing = node.children.get(key);
      if (existing) node = existing;
      else node = child(node, node.children.size < this.maxChildren ? key : WILDCARD);
    }
    return node;
  }

  private bestMatch(clusters: readonly Cluster[], tokens: readonly string[]): Cluster | undefined {
    let best: Cluster | undefined;
    let bestSim = -1;
    let bestWild = -1;
    for (const c of clusters) {
      let same = 0;
      let wild = 0;
      for (let i = 0; i < tokens.length; i++) {
        if (c.tokens[i] === WILDCARD) wild++;
        else if (c.tokens[i] === tokens[i]) same++;
      }
      const sim = same / tokens.length;
      // Ties go to the template with more wildcards (the more general one), as in the paper.
      if (sim > bestSim || (sim === bestSim && wild > bestWild)) {
        best = c;
        bestSim = sim;
        bestWild = wild;
      }
    }
    return best && bestSim >= this.similarity ? best : undefined;
  }
}

function child(node: Node, key: string): Node {
  let next = node.children.get(key);
  if (!next) {
    next = { children: new Map(), clusters: [] };
    node.children.set(key, next);
  }
  return next;
}
