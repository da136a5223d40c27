import type { CreatedToken, TokenDto } from "@/lib/api-tokens";
import { ApiClientError } from "@/lib/client/api";
import type { SessionDto } from "@/lib/sessions";

/**
 * The account page's calls: signed-in sessions and API tokens. Kept beside the page because
 * only it uses them; errors come back as ApiClientError with the server's message, like the
 * shared client's, and a 401 sends the browser to sign in again.
 */

export type { CreatedToken, SessionDto, TokenDto };

export const accountKeys = {
  sessions: ["account", "sessions"] as const,
  tokens: ["account", "tokens"] as const,
};

async function call<T>(path: string, method: "GET" | "POST" | "DELETE" = "GET", body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      cache: "no-store",
      headers: { accept: "application/json", ...(body !== undefined && { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiClientError(0, "network", "Can't reach the server. Check your connection.");
  }
  if (response.status === 401) window.location.assign("/login?next=%2Faccount");
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (response.ok) return data as T;
  const error = (data as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  throw typeof error?.message === "string"
    ? new ApiClientError(response.status, String(error.code), error.message)
    : new ApiClientError(response.status, "http_error", `The server answered ${response.status}. Try again.`);
}

const enc = encodeURIComponent;

export const fetchSessions = () => call<SessionDto[]>("/api/sessions");
export const endSession = (id: string) => call<void>(`/api/sessions/${enc(id)}`, "DELETE");
/** Ends every session, this browser's too. */
export const endAllSessions = () => call<void>("/api/sessions/revoke-all", "POST");

export const fetchTokens = () => call<TokenDto[]>("/api/tokens");
export const createToken = (name: string) => call<CreatedToken>("/api/tokens", "POST", { name });
export const deleteToken = (id: string) => call<void>(`/api/tokens/${enc(id)}`, "DELETE");
