import { teamMode } from "@/lib/auth";

export const metadata = { title: "Sign in · Atelier" };

const MESSAGES: Record<string, string> = {
  wrong: "That password is not right.",
  throttled: "Too many wrong tries. Wait a few minutes, then try again.",
};
// One message for an unknown email and a wrong password: the page must not tell which accounts exist.
const TEAM_MESSAGES: Record<string, string> = { ...MESSAGES, wrong: "That email and password do not match an account." };

const field =
  "w-full rounded-lg border border-zinc-700 bg-zinc-950 px-3 py-2 text-zinc-100 outline-none focus-visible:ring-2 focus-visible:ring-amber-400";

/** Team mode (accounts exist) asks for an email too; the shared-password mode for the password only. */
export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next = "/", error } = await searchParams;
  const team = await teamMode();
  const message = error ? (team ? TEAM_MESSAGES : MESSAGES)[error] : undefined;
  return (
    <main className="flex min-h-[70vh] items-center justify-center px-6">
      <form method="post" action="/api/login" className="w-full max-w-sm space-y-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-8">
        <h1 className="text-lg font-semibold text-zinc-100">Sign in to Atelier</h1>
        <input type="hidden" name="next" value={next} />
        {team && (
          <label className="block space-y-2">
            <span className="text-sm text-zinc-300">Email</span>
            <input name="email" type="email" required autoFocus autoComplete="username" maxLength={254} className={field} />
          </label>
        )}
        <label className="block space-y-2">
          <span className="text-sm text-zinc-300">Password</span>
          <input
            name="password"
            type="password"
            required
            autoFocus={!team}
            autoComplete="current-password"
            aria-invalid={Boolean(message)}
            aria-describedby={message ? "login-error" : undefined}
            className={field}
          />
        </label>
        {message && (
          <p id="login-error" role="alert" className="text-sm text-red-400">
            {message}
          </p>
        )}
        <button type="submit" className="w-full rounded-lg bg-amber-400 px-4 py-2 font-semibold text-zinc-950 hover:bg-amber-300 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-300">
          Sign in
        </button>
      </form>
    </main>
  );
}
