import type { AccountDto, Invitation } from "@/lib/accounts";
import { request } from "@/lib/client/api";
import type { Role } from "@/lib/actor";
import type { Team, TeamMember } from "@/lib/team";

/** The Team page's calls; only it uses them. Errors come back as ApiClientError with the server's message. */

export type { AccountDto, Invitation, Role, Team, TeamMember };

export const teamKeys = { all: ["team"] as const };

const enc = encodeURIComponent;

export const fetchTeam = (signal?: AbortSignal) => request<Team>("/api/accounts", { signal });
export const addPerson = (email: string, role: Role) => request<Invitation>("/api/accounts", { method: "POST", body: { email, role } });
/** budgetUsd null: back to the default limit. */
export const updatePerson = (id: string, change: { role?: Role; budgetUsd?: number | null }) =>
  request<AccountDto>(`/api/accounts/${enc(id)}`, { method: "PATCH", body: change });
export const resetPerson = (id: string) => request<Invitation>(`/api/accounts/${enc(id)}/reset`, { method: "POST" });
export const removePerson = (id: string) => request<void>(`/api/accounts/${enc(id)}`, { method: "DELETE" });
