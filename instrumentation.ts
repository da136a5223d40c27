export async function register() {
  // The worker needs Node (SQLite, sharp); the edge runtime never loads it.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startWorker } = await import("./lib/worker-boot");
    await startWorker();
    const { logSignInMode } = await import("./lib/sign-in-notice");
    // A notice only: it must never keep the studio from starting.
    await logSignInMode().catch((error) => console.error("[start] could not count accounts:", error instanceof Error ? error.message : error));
  }
}
