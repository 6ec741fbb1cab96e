/**
 * Control characters that a terminal acts on (escape sequences, carriage return, backspace, C1
 * controls such as CSI) and the bidirectional overrides that reorder what is shown. Stored text is
 * anyone's in the mesh: printed raw, it could rewrite the screen, hide lines or fake a prompt.
 * Newline and tab stay.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Shows each unsafe character as a visible escape (`\x1b`, `\u202e`) instead of letting the terminal act on it. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
