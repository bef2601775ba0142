/** The longest prompt template a candidate may carry (the registry's schema). */
export const MAX_TEMPLATE_CHARS = 65_536;

/**
 * The prompt version a suggestion registers: the stable version it patches, then `-sugg-` and
 * the random tail of the suggestion's id, so each suggestion has its own version and the same
 * suggestion always the same one. Within the registry's 128 characters of `[A-Za-z0-9_.:/@-]`.
 */
export function suggestionVersion(stableVersion: string, suggestionId: string): string {
  return `${stableVersion.slice(0, 100)}-sugg-${suggestionId.replace(/-/g, '').slice(-12)}`;
}

/** The stable template with the patch appended as its own paragraph; undefined when it would be too long. */
export function patchedTemplate(template: string, patch: string): string | undefined {
  const patched = `${template.trimEnd()}\n\n${patch.trim()}`;
  return patched.length <= MAX_TEMPLATE_CHARS ? patched : undefined;
}
