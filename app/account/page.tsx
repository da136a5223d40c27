import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApiTokens } from "@/components/account/api-tokens";
import { SignedInDevices } from "@/components/account/signed-in-devices";
import { headers } from "next/headers";
import { actorOrNull, signedIn } from "@/lib/actor";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Account" };

const card = "rounded-2xl border border-zinc-800/80 bg-zinc-900/40";

/** Sessions and API tokens; without a password (open mode) there is nothing to show. */
export default async function AccountPage() {
  const actor = actorOrNull(await headers());
  if (!signedIn(actor)) notFound();
  return (
    <div className="max-w-3xl space-y-6 pt-6">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-zinc-50">Account</h1>
        <p className="mt-1 text-sm text-zinc-500">
          {actor?.email ? (
            <>
              Signed in as <span className="text-zinc-300">{actor.email}</span>
              {actor.role === "admin" && " (admin)"}.{" "}
            </>
          ) : null}
          Where you are signed in, and the tokens your scripts use to reach the API.
        </p>
      </div>

      <section className={card} aria-labelledby="devices-heading">
        <div className="px-4 pb-3 pt-4 sm:px-5">
          <h2 id="devices-heading" className="text-sm font-semibold text-zinc-200">
            Signed-in devices
          </h2>
          <p className="mt-1 text-xs text-zinc-500">A session ends when it signs out, or after 30 days unused.</p>
        </div>
        <SignedInDevices />
      </section>

      <section className={card} aria-labelledby="tokens-heading">
        <div className="px-4 pb-3 pt-4 sm:px-5">
          <h2 id="tokens-heading" className="text-sm font-semibold text-zinc-200">
            API tokens
          </h2>
          <p className="mt-1 text-xs leading-relaxed text-zinc-500">
            A script sends one as{" "}
            <code className="rounded bg-zinc-800 px-1 py-px font-mono text-xs text-zinc-200">Authorization: Bearer atk_…</code>. Each works until
            you delete it.
          </p>
        </div>
        <ApiTokens />
      </section>
    </div>
  );
}
