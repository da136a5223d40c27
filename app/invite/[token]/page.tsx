import type { Metadata } from "next";
import { InviteForm, InviteGone } from "@/components/account/invite-form";
import { findInvite } from "@/lib/accounts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set your password" };

/** Where an invite link (npm run user -- add, or the Team page) lands: the person sets a password. */
export default async function InvitePage({
  params,
  searchParams,
}: {
  params: Promise<{ token: string }>;
  searchParams: Promise<{ error?: string | string[] }>;
}) {
  const { token } = await params;
  const { error } = await searchParams;
  const invite = await findInvite(token);
  return (
    <div className="flex min-h-[70vh] items-center justify-center px-6">
      {invite ? <InviteForm token={token} email={invite.email} error={typeof error === "string" ? error : undefined} /> : <InviteGone />}
    </div>
  );
}
