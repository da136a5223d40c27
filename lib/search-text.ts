/**
 * The one case rule of prompt search, the same on SQLite and PostgreSQL: each character upper-
 * then lower-cased on its own, so "CAFÉ" finds "café", "ПРИВЕТ" finds "привет", and Σ, σ and
 * final ς meet (per character, so no context rule such as the final sigma applies). Nothing
 * else is normalised: accents and wildcards stay as typed. Pure, so scripts and tests share it.
 */
export function searchText(text: string): string {
  let folded = "";
  for (const char of text) folded += char.toUpperCase().toLowerCase();
  return folded;
}
