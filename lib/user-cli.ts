/**
 * `npm run user -- add <email> [--admin] | list | remove <email> | reset <email>`: team accounts
 * from the server's shell (started by scripts/user.mjs), on whichever database DATABASE_URL
 * names, the same way the Team page manages them.
 */
import "server-only";
import { parseArgs } from "node:util";
import { addAccount, INVITE_VALID_MS, type Invitation, listAccounts, removeAccount, resetAccount } from "./accounts";
import { closeDb } from "./db";
import { env } from "./env";
import { AppError } from "./errors";

export const USAGE = `Usage:
  npm run user -- add <email> [--admin]   add a person (a member unless --admin) and print their invite link
  npm run user -- list                    everyone: email, role, status, created
  npm run user -- remove <email>          sign them out everywhere and stop their tokens; their work stays theirs
  npm run user -- reset <email>           a new invite link; their password and sessions end

The first account turns team mode on: sign-in is then by email and password, and
ATELIER_PASSWORD is no longer accepted. Invite links are printed with ATELIER_PUBLIC_URL
(or http://localhost:PORT) in front and work once, for ${INVITE_VALID_MS / 3600_000} hours.`;

type Command = { name: "add"; email: string; admin: boolean } | { name: "list" } | { name: "remove" | "reset"; email: string };

/** The command these arguments ask for, or null when they don't make one. */
export function parseCommand(argv: string[]): Command | null {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { admin: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  } catch {
    return null; // an unknown --option
  }
  const [name, email, ...rest] = parsed.positionals;
  const { admin = false, help } = parsed.values;
  if (help || rest.length > 0) return null;
  if (name === "list" && email === undefined && !admin) return { name };
  if (name === "add" && email) return { name, email, admin };
  if ((name === "remove" || name === "reset") && email && !admin) return { name, email };
  return null;
}

/** Returns the exit code: 0 done, 1 refused (bad usage, unknown or duplicate email, a settings or database problem). */
export async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  if (!command) {
    const help = argv.includes("--help") || argv.includes("-h");
    (help ? console.log : console.error)(USAGE);
    return help ? 0 : 1;
  }
  try {
    await run(command);
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      console.error(error.message);
    } else {
      // The message only: a connection error can quote DATABASE_URL, password included.
      const url = process.env.DATABASE_URL?.trim();
      const message = error instanceof Error ? error.message : String(error);
      console.error(`npm run user stopped: ${url ? message.replaceAll(url, "<DATABASE_URL>") : message}`);
    }
    return 1;
  } finally {
    // Otherwise the open pool (PostgreSQL) keeps the process alive.
    await closeDb();
  }
}

async function run(command: Command): Promise<void> {
  switch (command.name) {
    case "add": {
      const invitation = await addAccount({ email: command.email, role: command.admin ? "admin" : "member" });
      console.log(`Added ${invitation.account.email} (${invitation.account.role}).`);
      printLink(invitation);
      return;
    }
    case "reset": {
      const invitation = await resetAccount(command.email);
      console.log(`Reset ${invitation.account.email}: the old password no longer works and every session has ended.`);
      printLink(invitation);
      return;
    }
    case "remove": {
      const account = await removeAccount(command.email).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "conflict") {
          throw new AppError("conflict", `${error.message} (an admin can do that on the Team page).`);
        }
        throw error;
      });
      console.log(`Removed ${account.email}: signed out everywhere, tokens and invites stopped. What they made stays, under their name.`);
      return;
    }
    case "list":
      printTable(await listAccounts());
      return;
  }
}

function printLink(invitation: Invitation): void {
  console.log(`Send them this one-time link to set a password (valid 48 hours, until ${invitation.expiresAt.slice(0, 16).replace("T", " ")} UTC):`);
  console.log(`  ${publicBase()}${invitation.path}`);
}

/** Where people reach the studio: ATELIER_PUBLIC_URL, else this machine on the port `npm start` uses. */
export function publicBase(): string {
  return env().ATELIER_PUBLIC_URL ?? `http://localhost:${process.env.PORT || 3000}`;
}

function printTable(accounts: Awaited<ReturnType<typeof listAccounts>>): void {
  if (accounts.length === 0) {
    console.log("No accounts: sign-in is by ATELIER_PASSWORD if set, otherwise open. Add one with: npm run user -- add <email> --admin");
    return;
  }
  const rows = [
    ["email", "role", "status", "created"],
    ...accounts.map((a) => [a.email, a.role, a.status, `${a.createdAt.slice(0, 16).replace("T", " ")} UTC`]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}
