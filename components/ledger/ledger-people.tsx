import type { LedgerPerson } from "@/lib/dto";
import { formatUsd } from "@/lib/client/format";

/** Jobs with no account were made before team mode began (open or shared-password days). */
export const BEFORE_ACCOUNTS = "Before accounts";

/** The range's spend per person (team mode): a server-rendered table whose rows sum to the total. */
export function LedgerPeople({ people, totalUsd, currentAccountId }: { people: LedgerPerson[]; totalUsd: number; currentAccountId: string | null }) {
  return (
    <div className="overflow-x-auto">
      <table className="mt-3 w-full text-sm" data-testid="ledger-people">
        <thead>
          <tr className="border-y border-zinc-800 text-left text-xs text-zinc-500">
            <th scope="col" className="px-4 py-2 font-medium sm:px-5">
              Person
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Jobs
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Images
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Share
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium sm:px-5">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {people.length === 0 ? (
            <tr>
              <td colSpan={5} className="px-5 py-8 text-center text-zinc-500">
                No finished jobs in this range.
              </td>
            </tr>
          ) : (
            people.map((p) => (
              <tr key={p.accountId ?? "none"} className="border-b border-zinc-800/60" data-account={p.accountId ?? ""}>
                <td className="px-4 py-2.5 sm:px-5">
                  {p.accountId === null ? (
                    <span className="text-zinc-500">{BEFORE_ACCOUNTS}</span>
                  ) : (
                    <span className="text-zinc-200">
                      {p.email ?? "Unknown account"}
                      {p.accountId === currentAccountId ? <span className="ml-1.5 text-xs text-zinc-500">(you)</span> : null}
                    </span>
                  )}
                </td>
                <td className="px-3 py-2.5 text-right tabular-nums text-zinc-300" data-col="jobs">
                  {p.jobs}
                </td>
                <td className="px-3 py-2.5 text-right tabular-nums text-zinc-300" data-col="images">
                  {p.images}
                </td>
                <td className="px-3 py-2.5 text-right tabular-nums text-zinc-500">{totalUsd > 0 ? `${Math.round((p.costUsd / totalUsd) * 100)} %` : "—"}</td>
                <td className="px-4 py-2.5 text-right tabular-nums text-zinc-100 sm:px-5" data-col="cost">
                  {formatUsd(p.costUsd)}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
