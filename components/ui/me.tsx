"use client";

import { createContext, type ReactNode, useContext } from "react";
import type { Creator } from "@/lib/dto";

/**
 * Who is looking (team mode), so shared DTOs can say "me": the event stream sends every tab
 * the same job, and only the tab knows whose it is. Null without accounts: no one to tell apart.
 */
export type Me = { accountId: string; admin: boolean } | null;

const MeContext = createContext<Me>(null);

export function MeProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

export const useMe = () => useContext(MeContext);

/** "me" for the viewer's own jobs, otherwise the maker's email (marked when they left the team). */
export function makerName(creator: Creator, me: Me): string {
  if (creator.id === me?.accountId) return "me";
  return creator.removed ? `${creator.email} (removed)` : creator.email;
}

/** "by me" / "by ann@studio.com" where there are people to tell apart; nothing otherwise. */
export function MadeBy({ creator, className = "" }: { creator: Creator | null; className?: string }) {
  const me = useMe();
  if (me === null || creator === null) return null;
  return (
    <span className={className} data-testid="made-by">
      by {makerName(creator, me)}
    </span>
  );
}
