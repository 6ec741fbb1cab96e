/** One section of a markdown file: its heading path (outer headings first) and the text under its heading. */
export interface MarkdownSection {
  headings: string[];
  body: string;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/**
 * Splits markdown at its ATX headings (`#` … `######`; a `#` inside a fenced code block is not a
 * heading). Text before the first heading is a section with no headings. Sections with no body
 * (a heading directly followed by a sub-heading) are dropped: the sub-heading's path carries it.
 */
export function markdownSections(text: string): MarkdownSection[] {
  const out: MarkdownSection[] = [];
  const path: { level: number; title: string }[] = [];
  let body: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    const b = body.join('\n').trim();
    if (b) out.push({ headings: path.map((h) => h.title), body: b });
    body = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const f = FENCE.exec(line);
    if (f) fence = fence === null ? f[1]! : fence === f[1] ? null : fence;
    const h = fence === null && !f ? HEADING.exec(line) : null;
    if (!h) {
      body.push(line);
      continue;
    }
    flush();
    const level = h[1]!.length;
    while (path.length && path[path.length - 1]!.level >= level) path.pop();
    path.push({ level, title: h[2]!.trim() });
  }
  flush();
  return out;
}
