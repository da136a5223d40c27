"use client";

import { SEED_LIMIT } from "@/lib/client/constants";
import { DiceIcon } from "../ui/icons";
import { FieldError } from "../ui/field-error";

export function SeedField({
  value,
  onChange,
  error,
  id = "seed",
  hint = "Empty picks one for you",
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  /** Another id where a second form shares the page with the studio's. */
  id?: string;
  hint?: string;
}) {
  function roll() {
    const buf = new Uint32Array(1);
    crypto.getRandomValues(buf);
    onChange(String(buf[0]! % (SEED_LIMIT + 1)));
  }
  return (
    <div>
      <label htmlFor={id} className="mb-1.5 block text-sm font-medium text-zinc-200">
        Seed
      </label>
      <div className="flex gap-1.5">
        <input
          id={id}
          name="seed"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          placeholder="Random"
          value={value}
          onChange={(e) => onChange(e.target.value.trim())}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : `${id}-hint`}
          className="field min-w-0 font-mono tabular-nums"
        />
        <button
          type="button"
          onClick={roll}
          className="flex size-[38px] shrink-0 items-center justify-center rounded-lg border border-zinc-800 bg-zinc-900 text-zinc-300 hover:border-zinc-600 hover:text-zinc-100"
          aria-label="Random seed"
          title="Fill a random seed"
        >
          <DiceIcon />
        </button>
      </div>
      {error ? (
        <FieldError id={`${id}-error`} message={error} />
      ) : (
        <p id={`${id}-hint`} className="mt-1.5 text-xs text-zinc-500">
          {hint}
        </p>
      )}
    </div>
  );
}
