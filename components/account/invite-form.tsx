import { PASSWORD_MIN_LENGTH } from "@/lib/passwords";

/** Why the last post came back (`?error=` on the invite page). */
export const INVITE_ERRORS: Record<string, string> = {
  weak: `That password cannot be used: choose one of at least ${PASSWORD_MIN_LENGTH} characters (at most 200, no control characters) that is not a common one.`,
  mismatch: "The two passwords differ. Type the same password twice.",
};

const field =
  "w-full rounded-lg border border-zinc-700 bg-zinc-950 px-3 py-2 text-zinc-100 outline-none focus-visible:ring-2 focus-visible:ring-amber-400";
const card = "w-full max-w-sm space-y-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-8";

/**
 * A plain form post (works before any JavaScript loads) to POST /api/invites/<token>, which
 * signs the person in. The rule is checked on the server; the browser's own checks only help.
 */
export function InviteForm({ token, email, error }: { token: string; email: string; error: string | undefined }) {
  const message = error ? INVITE_ERRORS[error] : undefined;
  return (
    <form method="post" action={`/api/invites/${encodeURIComponent(token)}`} className={card}>
      <h1 className="text-lg font-semibold text-zinc-100">Set a password for {email}</h1>
      <p id="password-rule" className="text-sm text-zinc-400">
        At least {PASSWORD_MIN_LENGTH} characters, and not a common one. A few unrelated words make a good one.
      </p>
      {/* For password managers: the account the new password belongs to. */}
      <input type="email" name="username" value={email} autoComplete="username" readOnly hidden />
      <label className="block space-y-2">
        <span className="text-sm text-zinc-300">New password</span>
        <input
          name="password"
          type="password"
          required
          autoFocus
          minLength={PASSWORD_MIN_LENGTH}
          maxLength={200}
          autoComplete="new-password"
          aria-invalid={Boolean(message)}
          aria-describedby={message ? "password-rule invite-error" : "password-rule"}
          className={field}
        />
      </label>
      <label className="block space-y-2">
        <span className="text-sm text-zinc-300">The same password again</span>
        <input name="confirm" type="password" required minLength={PASSWORD_MIN_LENGTH} maxLength={200} autoComplete="new-password" className={field} />
      </label>
      {message && (
        <p id="invite-error" role="alert" className="text-sm text-red-400">
          {message}
        </p>
      )}
      <button
        type="submit"
        className="w-full rounded-lg bg-amber-400 px-4 py-2 font-semibold text-zinc-950 hover:bg-amber-300 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-300"
      >
        Set password and sign in
      </button>
    </form>
  );
}

/** A used, replaced, expired or made-up link: nothing to fill in. */
export function InviteGone() {
  return (
    <div className={card}>
      <h1 className="text-lg font-semibold text-zinc-100">Invite link not valid</h1>
      <p role="alert" className="text-sm text-zinc-300">
        This invite link was used or has expired. Ask an admin for a new one.
      </p>
      <a href="/login" className="inline-block text-sm text-amber-300 underline-offset-2 hover:underline">
        Sign in instead
      </a>
    </div>
  );
}
