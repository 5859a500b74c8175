-- The revision of each recent save, by sequence. A process brings its cached memory (sequence N,
-- revision R) up to date from the changed rows only when save N here is R: after a reset (the
-- sequence starts again) or a restore from a backup (it goes back), the same number names another
-- save, and the cache is read in full instead.
-- CreateTable
CREATE TABLE "link_state_saves" (
    "sequence" BIGINT NOT NULL,
    "revision" TEXT NOT NULL,

    CONSTRAINT "link_state_saves_pkey" PRIMARY KEY ("sequence")
);
