"use client";

import type { AspectRatioChoice } from "@/lib/catalog";
import { MATCH_INPUT } from "@/lib/client/constants";
import { ratioLabel } from "@/lib/client/format";

/** A small outline of the ratio's shape, fitted into a 16×16 box. */
function RatioShape({ w, h, dashed = false }: { w: number; h: number; dashed?: boolean }) {
  const scale = 14 / Math.max(w, h);
  const rw = Math.max(4, w * scale);
  const rh = Math.max(4, h * scale);
  return (
    <svg viewBox="0 0 16 16" className="size-4" aria-hidden="true">
      <rect
        x={(16 - rw) / 2}
        y={(16 - rh) / 2}
        width={rw}
        height={rh}
        rx="1.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
        strokeDasharray={dashed ? "2 1.6" : undefined}
      />
    </svg>
  );
}

export function AspectRatioPicker({
  options,
  value,
  onChange,
  input,
  error,
}: {
  options: readonly AspectRatioChoice[];
  value: AspectRatioChoice;
  onChange: (value: AspectRatioChoice) => void;
  /** The input image's size, when there is one; "Match input" needs it. */
  input: { width: number; height: number } | null;
  error?: string | null;
}) {
  return (
    <fieldset aria-describedby={error ? "ratio-error" : undefined}>
      <legend className="mb-1.5 text-sm font-medium text-zinc-200">Aspect ratio</legend>
      <div className="grid grid-cols-6 gap-1.5">
        {options.map((option) => {
          const isMatch = option === MATCH_INPUT;
          const disabled = isMatch && !input;
          const [w, h] = isMatch
            ? input
              ? [input.width, input.height]
              : [4, 3]
            : (option.split(":").map(Number) as [number, number]);
          const checked = value === option;
          return (
            <label
              key={option}
              title={disabled ? "Add an input image to match its shape" : undefined}
              className={[
                "relative flex h-12 min-w-0 flex-col items-center justify-center gap-0.5 rounded-lg border text-[11px] font-medium transition-colors",
                "has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-accent-400",
                isMatch ? "col-span-2" : "",
                disabled
                  ? "cursor-not-allowed border-zinc-800/70 text-zinc-600"
                  : checked
                    ? "border-accent-400/70 bg-accent-400/10 text-accent-300"
                    : "cursor-pointer border-zinc-800 bg-zinc-900 text-zinc-400 hover:border-zinc-600 hover:text-zinc-200",
              ].join(" ")}
            >
              <input
                type="radio"
                name="aspectRatio"
                value={option}
                checked={checked}
                disabled={disabled}
                onChange={() => onChange(option)}
                className="absolute inset-0 z-10 m-0 size-full cursor-pointer appearance-none rounded-lg opacity-0 disabled:cursor-not-allowed"
              />
              <RatioShape w={w} h={h} dashed={isMatch} />
              <span>{ratioLabel(option)}</span>
            </label>
          );
        })}
      </div>
      {error ? (
        <p id="ratio-error" role="alert" className="mt-1.5 text-[13px] text-red-300">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
