export async function register() {
  // The worker needs Node (SQLite, sharp); the edge runtime never loads it.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startWorker } = await import("./lib/worker-boot");
    await startWorker();
    const { logSignInMode } = await import("./lib/sign-in-notice");
    const { settleSharedPassword } = await import("./lib/shared-password");
    // Neither may keep the studio from starting; a database out of reach is reported elsewhere.
    const report = (what: string) => (error: unknown) => console.error(`[start] could not ${what}:`, error instanceof Error ? error.message : error);
    await settleSharedPassword().catch(report("compare ATELIER_PASSWORD with the one its sessions were made with"));
    await logSignInMode().catch(report("count accounts"));
  }
}
