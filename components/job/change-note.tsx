import type { OutputRef } from "@/lib/dto";

/** "under 1 %" rather than a misleading "0 %" when a few pixels did change. */
function share(fraction: number): string {
  if (fraction > 0 && fraction < 0.01) return "under 1 %";
  return `${Math.round(fraction * 100)} %`;
}

/** At this share an unmasked edit redrew the frame rather than touching it up. */
const WHOLE_FRAME = 0.5;

export function changeSentence(change: NonNullable<OutputRef["change"]>): string {
  const changed = change.fraction === 0 ? "Nothing changed in the image" : `Changed ${share(change.fraction)} of the image`;
  if (change.outsideMask === null) return change.fraction >= WHOLE_FRAME ? `${changed} · the whole frame changed` : changed;
  const outside = change.outsideMask === 0 ? "nothing" : share(change.outsideMask);
  return `${changed} · ${outside} outside the painted region`;
}

/** How much an edit changed, so a drift of the whole frame shows at a glance. */
export function ChangeNote({ change }: { change: OutputRef["change"] }) {
  if (!change) return null;
  return (
    <p className="mt-2 text-center text-xs tabular-nums text-zinc-400" data-testid="output-change">
      {changeSentence(change)}
    </p>
  );
}
