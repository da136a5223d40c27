"use client";

import { useState } from "react";
import { errorMessage } from "@/lib/client/api";

type Options = {
  /** Success takes this UI away (a navigation, a dialog closing): stay pending until it goes. */
  leaves?: boolean;
  /** After a failure, e.g. to show what the server holds now. */
  failed?: () => void;
  /** After success or failure alike. */
  settled?: () => void;
};

/** A button's server call: `pending` while it runs, the server's plain-words message when it fails. */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>, { leaves = false, failed, settled }: Options = {}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(...args: A): Promise<void> {
    setPending(true);
    setError(null);
    try {
      await action(...args);
      if (!leaves) setPending(false);
    } catch (e) {
      setError(errorMessage(e));
      setPending(false);
      failed?.();
    } finally {
      settled?.();
    }
  }
  return { run, pending, error, setError };
}
