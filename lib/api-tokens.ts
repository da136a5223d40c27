import "server-only";
import { z } from "zod";
import type { Actor } from "./actor";
import { hashSecret, newApiToken } from "./auth";
import { db } from "./db";
import { invalid, notFound } from "./errors";
import { newId } from "./ids";
import { ANY_CONTROL_CHAR } from "./schemas";

/** Named bearer tokens for scripts; the token itself is shown once, at creation. */

export type TokenDto = { id: string; name: string; createdAt: string; lastUsedAt: string | null };
export type CreatedToken = { id: string; name: string; token: string };

export const TOKEN_NAME_MAX_LENGTH = 100;

const createTokenSchema = z.strictObject({
  name: z
    .string({ error: "Give the token a name" })
    .trim()
    .min(1, "Give the token a name")
    .max(TOKEN_NAME_MAX_LENGTH, `Keep the name under ${TOKEN_NAME_MAX_LENGTH} characters`)
    .refine((s) => !ANY_CONTROL_CHAR.test(s), "The name contains control characters"),
});

/** Tokens act as the person who made them (the shared identity without accounts). */
export async function createApiToken(input: unknown, actor: Actor, now = Date.now()): Promise<CreatedToken> {
  const parsed = createTokenSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const { name } = parsed.data;
  const token = newApiToken();
  const id = newId(now);
  await db().apiToken.create({ data: { id, name, tokenHash: hashSecret(token), accountId: actor.accountId, createdAt: new Date(now) } });
  return { id, name, token };
}

export async function listApiTokens(actor: Actor): Promise<TokenDto[]> {
  const rows = await db().apiToken.findMany({ where: { accountId: actor.accountId }, orderBy: { id: "desc" } });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  }));
}

export async function deleteApiToken(id: string, actor: Actor): Promise<void> {
  const { count } = await db().apiToken.deleteMany({ where: { id, accountId: actor.accountId } });
  if (count === 0) throw notFound("No such token");
}
