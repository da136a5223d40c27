/**
 * The tables `npm run migrate-data` copies, read and written through the two Prisma clients
 * (SQLite source, PostgreSQL target), so every value means on the target what it meant on the
 * source: dates, booleans and floats are converted the way the studio itself reads them.
 */
import { searchText } from "../search-text";

export type Row = Record<string, unknown>;

type Model = "image" | "job" | "jobInput" | "jobOutput" | "loginAttempt" | "session" | "apiToken" | "account" | "invite" | "setting";

/** The calls used here, which both clients (and a transaction of either) have for every model. */
type Delegate = {
  findMany(args: object): Promise<Row[]>;
  count(): Promise<number>;
  createMany(args: { data: Row[]; skipDuplicates: boolean }): Promise<{ count: number }>;
};

export type Table = {
  name: string;
  model: Model;
  /** The primary key's fields. */
  key: readonly string[];
  /** A unique column besides the key: another row holding the same value is a conflict too. */
  unique?: string;
  /** What a source row holds once a studio has started on it (rows read here are compared and copied so). */
  settled?: (row: Row) => Row;
};

/** In foreign-key order: images before the jobs that point at them, jobs before their inputs and outputs, accounts before what is theirs. */
export const TABLES: readonly Table[] = [
  { name: "Image", model: "image", key: ["id"], unique: "sha256" },
  // A source only migrated, never started since, still holds its older jobs' prompts unfolded.
  { name: "Job", model: "job", key: ["id"], settled: (row) => (row.promptSearch === "" ? { ...row, promptSearch: searchText(String(row.prompt)) } : row) },
  { name: "JobInput", model: "jobInput", key: ["jobId", "position"] },
  { name: "JobOutput", model: "jobOutput", key: ["jobId", "position"] },
  { name: "LoginAttempt", model: "loginAttempt", key: ["id"] },
  // Accounts before the sessions, tokens and invites that belong to them.
  { name: "Account", model: "account", key: ["id"], unique: "email" },
  { name: "Invite", model: "invite", key: ["id"], unique: "tokenHash" },
  // Signed-in browsers and scripts keep working on the new database: only hashes travel.
  { name: "Session", model: "session", key: ["id"], unique: "tokenHash" },
  { name: "ApiToken", model: "apiToken", key: ["id"], unique: "tokenHash" },
  // The shared password's hash: without it the moved studio would take its first start for a password change.
  { name: "Setting", model: "setting", key: ["key"] },
];

export const IMAGE_TABLE = TABLES[0]!;

export const delegate = (client: object, table: Table): Delegate => (client as Record<Model, Delegate>)[table.model];

export const keyOf = (table: Table, row: Row): string => table.key.map((field) => String(row[field])).join("/");

/** Every row of `table`, in primary-key order, `size` at a time. */
export async function* pages(client: object, table: Table, size: number): AsyncGenerator<Row[]> {
  const orderBy = table.key.map((field) => ({ [field]: "asc" }));
  let after: Row | undefined;
  for (;;) {
    const cursor = after ? { cursor: cursorOf(table, after), skip: 1 } : {};
    const rows = await delegate(client, table).findMany({ orderBy, take: size, ...cursor });
    if (rows.length > 0) yield table.settled ? rows.map(table.settled) : rows;
    if (rows.length < size) return;
    after = rows.at(-1);
  }
}

function cursorOf(table: Table, row: Row): Row {
  const values = Object.fromEntries(table.key.map((field) => [field, row[field]]));
  // Prisma names a compound key's cursor after its fields: { jobId_position: { jobId, position } }.
  return table.key.length === 1 ? values : { [table.key.join("_")]: values };
}

/** The target's rows with the same keys as `rows`, by key. */
export async function matching(client: object, table: Table, rows: Row[]): Promise<Map<string, Row>> {
  const first = table.key[0]!;
  const values = [...new Set(rows.map((row) => row[first]))];
  const found = await delegate(client, table).findMany({ where: { [first]: { in: values } } });
  return new Map(found.map((row) => [keyOf(table, row), row]));
}

/** The fields whose values differ (names only: a value can be a long prompt). */
export function differences(source: Row, target: Row): string[] {
  return Object.keys(source).filter((field) => !same(source[field], target[field]));
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  return a === b;
}
