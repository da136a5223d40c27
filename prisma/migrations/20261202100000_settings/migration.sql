-- Studio-wide settings kept with the data: the hash of the shared password its sessions were made with.
-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);

