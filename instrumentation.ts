export async function register() {
  // The worker needs Node (SQLite, sharp); the edge runtime never loads it.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startWorker } = await import("./lib/worker-boot");
    await startWorker();
  }
}
