-- Leases on running jobs, so several server processes can share one queue; a shared sign-in throttle.
ALTER TABLE "Job" ADD COLUMN "leaseExpiresAt" DATETIME;
CREATE INDEX "Job_provider_leaseExpiresAt_idx" ON "Job"("provider", "leaseExpiresAt");

CREATE TABLE "LoginAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "client" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);
CREATE INDEX "LoginAttempt_client_at_idx" ON "LoginAttempt"("client", "at");
