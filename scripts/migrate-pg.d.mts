// Types for scripts/migrate-pg.mjs (plain JS, so `npm run migrate` needs no TypeScript loader).
export const PG_MIGRATIONS: string;
export function migratePostgres(connectionString: string, options?: { dir?: string; log?: (line: string) => void }): Promise<string[]>;
