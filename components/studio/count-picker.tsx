"use client";

/** How many images to make: a segmented control from min to max. */
export function CountPicker({
  min,
  max,
  value,
  onChange,
}: {
  min: number;
  max: number;
  value: number;
  onChange: (n: number) => void;
}) {
  const options = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  return (
    <fieldset>
      <legend className="mb-1.5 text-sm font-medium text-zinc-200">Images</legend>
      <div className="flex h-[38px] rounded-lg border border-zinc-800 bg-zinc-900 p-0.5">
        {options.map((n) => (
          <label
            key={n}
            className={[
              "relative flex flex-1 cursor-pointer items-center justify-center rounded-md text-sm tabular-nums transition-colors",
              "has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-accent-400",
              value === n ? "bg-zinc-700 text-zinc-50 shadow-sm" : "text-zinc-400 hover:text-zinc-200",
            ].join(" ")}
          >
            <input
              type="radio"
              name="n"
              value={n}
              checked={value === n}
              onChange={() => onChange(n)}
              className="absolute inset-0 z-10 m-0 size-full cursor-pointer appearance-none rounded-md opacity-0"
              aria-label={`${n} ${n === 1 ? "image" : "images"}`}
            />
            {n}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
