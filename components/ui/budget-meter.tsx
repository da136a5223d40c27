/** How much of the month's budget is spent: green, amber past 80 %, red when `over`. No hooks: server pages render it too. */
export function BudgetMeter({ spent, limit, over, className }: { spent: number; limit: number; over: boolean; className: string }) {
  const share = limit > 0 ? Math.min(1, spent / limit) : 0;
  return (
    <div
      className={`overflow-hidden rounded-full bg-zinc-800 ${className}`}
      role="meter"
      aria-label="Monthly budget used"
      aria-valuemin={0}
      aria-valuemax={limit}
      aria-valuenow={Math.min(spent, limit)}
    >
      <div className={`h-full rounded-full ${over ? "bg-red-400" : share > 0.8 ? "bg-accent-500" : "bg-emerald-400"}`} style={{ width: `${share * 100}%` }} />
    </div>
  );
}
