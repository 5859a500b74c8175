-- The sync lock's fencing number: every process that takes the lock adds one and keeps the result,
-- and each persist locks this row with that number first. A holder whose lock was lost and taken
-- over meanwhile finds a larger number and rolls back; a takeover's increment waits for a persist
-- holding the row, so the graph it loads next sees that commit.
CREATE TABLE "stage5_sync_fence" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "epoch" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "stage5_sync_fence_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "stage5_sync_fence_single_row" CHECK ("id" = 1)
);
