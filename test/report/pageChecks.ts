/** Checks on a report page shared by the report and browser tests. */

/** Every way an HTML page could load something from elsewhere (or run a script); empty when self-contained. */
export function externalReferences(html: string): string[] {
  const patterns = [
    /\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?!["'#]|data:)[^\s"'>]*/gi, // any reference but a fragment or a data: URL
    /url\(\s*["']?\s*(?:https?:)?\/\//gi,
    /@import/gi,
    /<script\b/gi,
    /<link\b/gi,
    /<iframe\b/gi,
    /<object\b/gi,
    /<embed\b/gi,
  ];
  return patterns.flatMap((p) => html.match(p) ?? []);
}
