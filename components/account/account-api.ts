import type { CreatedToken, TokenDto } from "@/lib/api-tokens";
import { request } from "@/lib/client/api";
import type { SessionDto } from "@/lib/sessions";

/** The account page's calls: signed-in sessions and API tokens, through the shared JSON client. */

export type { CreatedToken, SessionDto, TokenDto };

export const accountKeys = {
  sessions: ["account", "sessions"] as const,
  tokens: ["account", "tokens"] as const,
};

const enc = encodeURIComponent;

export const fetchSessions = () => request<SessionDto[]>("/api/sessions");
export const endSession = (id: string) => request<void>(`/api/sessions/${enc(id)}`, { method: "DELETE" });
/** Ends every session, this browser's too. */
export const endAllSessions = () => request<void>("/api/sessions/revoke-all", { method: "POST" });

export const fetchTokens = () => request<TokenDto[]>("/api/tokens");
export const createToken = (name: string) => request<CreatedToken>("/api/tokens", { method: "POST", body: { name } });
export const deleteToken = (id: string) => request<void>(`/api/tokens/${enc(id)}`, { method: "DELETE" });
