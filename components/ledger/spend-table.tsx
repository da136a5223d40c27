import type { ReactNode } from "react";

/** A column heading; numbers align right. */
export type SpendColumn = { label: string; numeric?: boolean };

const edge = (i: number, n: number) => (i === 0 || i === n - 1 ? "px-4 sm:px-5" : "px-3");

/** The ledger's tables (by provider and model, by person): the same head, and the same empty row. */
export function SpendTable({ columns, testId, empty, children, foot }: { columns: SpendColumn[]; testId: string; empty: boolean; children: ReactNode; foot?: ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className="mt-3 w-full text-sm" data-testid={testId}>
        <thead>
          <tr className="border-y border-zinc-800 text-left text-xs text-zinc-500">
            {columns.map((column, i) => (
              <th key={column.label} scope="col" className={`${edge(i, columns.length)} py-2 font-medium ${column.numeric ? "text-right" : ""}`}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {empty ? (
            <tr>
              <td colSpan={columns.length} className="px-5 py-8 text-center text-zinc-500">
                No finished jobs in this range.
              </td>
            </tr>
          ) : (
            children
          )}
        </tbody>
        {empty ? null : foot}
      </table>
    </div>
  );
}
