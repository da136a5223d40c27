import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { AddPerson } from "@/components/team/add-person";
import { TeamList } from "@/components/team/team-list";
import { NotFoundPage } from "@/components/ui/not-found-page";
import { actorOrNull } from "@/lib/actor";
import { listTeam } from "@/lib/team";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Team" };

const card = "rounded-2xl border border-zinc-800/80 bg-zinc-900/40";
const code = "rounded bg-zinc-800 px-1 py-px font-mono text-xs text-zinc-200";

/** Admins manage the team here: who has an account, invite links, roles and monthly limits. */
export default async function TeamPage() {
  const actor = actorOrNull(await headers());
  if (!actor) notFound();
  if (actor.role !== "admin") {
    return <NotFoundPage title="Only admins manage the team">Ask an admin of this Atelier to add people, reset a password or change a limit.</NotFoundPage>;
  }
  // Everyone signed in has an account in team mode; without one, accounts have not begun.
  if (actor.accountId === null) return <BeforeTeam />;
  const team = await listTeam(actor);
  return (
    <div className="max-w-4xl space-y-6 pt-6">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-zinc-50">Team</h1>
        <p className="mt-1 text-sm text-zinc-500">
          Who can sign in, what each person spent this month, and their monthly limit
          {team.defaultLimitUsd === null ? (
            <>
              {" "}
              (none by default: set <code className={code}>ATELIER_BUDGET_USD_PER_USER</code> for everyone, or one per person below)
            </>
          ) : null}
          .
        </p>
      </div>

      <section className={`${card} p-4 sm:p-5`} aria-labelledby="add-heading">
        <h2 id="add-heading" className="mb-3 text-sm font-semibold text-zinc-200">
          Add a person
        </h2>
        <AddPerson first={false} />
      </section>

      <section className={card} aria-labelledby="people-heading">
        <div className="px-4 pb-3 pt-4 sm:px-5">
          <h2 id="people-heading" className="text-sm font-semibold text-zinc-200">
            People
          </h2>
          <p className="mt-1 text-xs text-zinc-500">Spend is this UTC month&apos;s finished jobs. A submit that would pass a limit is refused.</p>
        </div>
        <TeamList initial={team} selfId={actor.accountId} />
      </section>
    </div>
  );
}

/** Open or shared-password mode: what the first account changes, and the safe way to start. */
function BeforeTeam() {
  return (
    <div className="max-w-3xl space-y-6 pt-6">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-zinc-50">Team</h1>
        <p className="mt-1 text-sm text-zinc-500">Give each person their own sign-in, see who made what, and set monthly limits per person.</p>
      </div>
      <section className={`${card} space-y-3 p-4 text-sm leading-relaxed text-zinc-300 sm:p-5`} aria-labelledby="start-heading">
        <h2 id="start-heading" className="text-sm font-semibold text-zinc-200">
          Start a team
        </h2>
        <p>
          There are no accounts yet. The first account turns team mode on: from then on everyone signs in with their own email and password, and{" "}
          <code className={code}>ATELIER_PASSWORD</code> stops working, this browser included.
        </p>
        <p>
          So add yourself first, as an admin, and open your own invite link right away to set your password. Then add the others here. (On the
          server, <code className={code}>npm run user -- add you@example.com --admin</code> does the same.)
        </p>
        <div className="pt-2">
          <AddPerson first />
        </div>
      </section>
    </div>
  );
}
