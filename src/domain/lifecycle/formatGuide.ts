/**
 * How to write memories that are worth finding again, in a few lines: given by get_format_guide
 * and added once to the first tool result of a session that has not asked for it.
 */
export const FORMAT_GUIDE = `hivemesh memory format guide:
- One fact, decision, fix or procedure per memory, written to stand alone (no "as above", no "this").
- Lead with the subject and the exact tokens people search for: host names, services, error codes, versions, file paths, commands.
- Say what was decided or done and why, in 1-5 sentences; put the command or config line verbatim.
- category: incidents, runbooks, infrastructure, deployments, security, project… ; project: the repository; tags: 2-5 short labels.
- Update a memory that has become wrong (update_memory) rather than adding a contradicting one; search first.
- Never store secrets (keys, passwords, tokens): name the vault entry instead.`;
