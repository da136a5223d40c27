import type { AspectRatioChoice } from "@/lib/catalog";
import { MATCH_INPUT } from "./constants";

/** Display helpers; every function is pure so server and client render the same text. */

/**
 * The one way an amount of money is written: "$0.00", "$0.018", "$0.05", "$1.20", a third
 * decimal only when a sub-dollar amount has one. `whole` drops ".00" from whole dollars
 * ("$0", "$20"), for a chart's axis.
 */
export function formatUsd(usd: number, { whole = false } = {}): string {
  const fine = usd.toFixed(3);
  if (usd > 0 && usd < 1 && !fine.endsWith("0")) return `$${fine}`;
  const cents = usd.toFixed(2);
  return whole && cents.endsWith(".00") ? `$${cents.slice(0, -3)}` : `$${cents}`;
}

/** A model's price: "Free", or the amount ("$0.018"). */
export function formatPrice(usd: number): string {
  return usd === 0 ? "Free" : formatUsd(usd);
}

/** The one wording for a price the provider doesn't publish, wherever a price is shown. */
export const PRICE_NOT_PUBLISHED = "Price not published";

/** A price or an estimate: "Free", "$0.018", or "Price not published" when it is unknown. */
export function priceText(usd: number | null): string {
  return usd === null ? PRICE_NOT_PUBLISHED : formatPrice(usd);
}

/** A recorded cost; "—" where none was recorded (still running, failed, or unpriced). */
export function formatCost(usd: number | null): string {
  return usd === null ? "—" : formatPrice(usd);
}

/** 3.4 s, 42 s, 2 m 05 s, 1 h 02 m */
export function formatDuration(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < 10_000) return `${(safe / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(safe / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes < 60) return `${minutes} m ${String(seconds).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} m`;
}

/** A ticking clock: 0:07, 1:23, 12:04 */
export function formatClock(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  return `${minutes}:${String(totalSeconds % 60).padStart(2, "0")}`;
}

export function durationBetween(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  return new Date(to).getTime() - new Date(from).getTime();
}

const dateTime = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: "UTC",
});

/** Fixed locale and UTC so the server render and the hydrated client agree. */
export function formatDateTime(iso: string | null): string {
  if (!iso) return "—";
  return `${dateTime.format(new Date(iso))} UTC`;
}

export function formatSize(width: number, height: number): string {
  return `${width} × ${height}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function ratioLabel(choice: AspectRatioChoice): string {
  return choice === MATCH_INPUT ? "Match input" : choice;
}

export function modeLabel(mode: "generate" | "edit"): string {
  return mode === "edit" ? "Edit" : "Text to image";
}
