import "server-only";
import { AppError } from "./errors";

/**
 * Who is asking, as the proxy established it: lib functions take an Actor and decide what it
 * may do. The proxy (the one place that authenticates) hands it to routes, pages and server
 * actions in a request header it always overwrites, so a client cannot supply its own.
 */
export type Role = "admin" | "member";

export type Actor = {
  /** Null without accounts (open or shared-password mode): then everyone is one admin. */
  accountId: string | null;
  email: string | null;
  role: Role;
  sessionId: string | null;
  tokenId: string | null;
};

export const ACTOR_HEADER = "x-atelier-actor";

/** Open mode (and scripts run on the server itself): no accounts, so no one to tell apart. */
export const OPEN_ACTOR: Actor = { accountId: null, email: null, role: "admin", sessionId: null, tokenId: null };

export const encodeActor = (actor: Actor) => Buffer.from(JSON.stringify(actor)).toString("base64url");

/** The actor the proxy set on this request; none means the path is public, so nobody is signed in. */
export function actorOf(source: Request | Headers): Actor {
  const actor = actorOrNull(source);
  if (!actor) throw new AppError("unauthorized", "Sign in first.");
  return actor;
}

export function actorOrNull(source: Request | Headers): Actor | null {
  const value = (source instanceof Headers ? source : source.headers).get(ACTOR_HEADER);
  return value ? (JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Actor) : null;
}

/** Signed in (not open mode): there is an account page, and a way to sign out. */
export const signedIn = (actor: Actor | null) => Boolean(actor?.sessionId || actor?.tokenId);

/**
 * Whether this actor may change or delete what `ownerId` made: admins anything, members their
 * own. What was made before accounts (no owner) is nobody's, so only admins.
 */
export const mayManage = (actor: Actor, ownerId: string | null) => actor.role === "admin" || (ownerId !== null && actor.accountId === ownerId);

export function requireAdmin(actor: Actor): void {
  if (actor.role !== "admin") throw new AppError("forbidden", "Only an admin can do this.");
}
