import { afterLoad } from "./after-load";

/**
 * The shared request schemas (lib/schemas), loaded on demand so zod stays out of the
 * first load. Call `preloadSchemas()` when the form mounts; `loadSchemas()` resolves at
 * once after that.
 */
let pending: Promise<typeof import("@/lib/schemas")> | undefined;

export function loadSchemas() {
  pending ??= import("@/lib/schemas");
  return pending;
}

export function preloadSchemas(): void {
  afterLoad(() =>
    void loadSchemas().catch(() => {
      pending = undefined; // retry on submit
    }),
  );
}
