import type { LedgerPerson } from "@/lib/dto";
import { formatUsd } from "@/lib/client/format";
import { type SpendColumn, SpendTable } from "./spend-table";

/** Jobs with no account were made before team mode began (open or shared-password days). */
export const BEFORE_ACCOUNTS = "Before accounts";

const COLUMNS: SpendColumn[] = [{ label: "Person" }, { label: "Jobs", numeric: true }, { label: "Images", numeric: true }, { label: "Share", numeric: true }, { label: "Cost", numeric: true }];

/** The range's spend per person (team mode): a server-rendered table whose rows sum to the total. */
export function LedgerPeople({ people, totalUsd, currentAccountId }: { people: LedgerPerson[]; totalUsd: number; currentAccountId: string | null }) {
  return (
    <SpendTable columns={COLUMNS} testId="ledger-people" empty={people.length === 0}>
      {people.map((p) => (
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
      ))}
    </SpendTable>
  );
}
