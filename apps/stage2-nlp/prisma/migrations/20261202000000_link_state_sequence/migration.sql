-- Each save of the linker's memory gets the next sequence number, and the rows it writes carry it:
-- a process whose cached memory is at sequence N reads only the rows changed since, instead of
-- every term and storyline (two replicas taking turns re-read the whole memory on every batch).
-- A cache below delta_floor reads in full (something was deleted, or a writer without sequences
-- saved: its revision differs from sequence_revision).
-- AlterTable
ALTER TABLE "link_state" ADD COLUMN "sequence" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "delta_floor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "sequence_revision" TEXT;

-- AlterTable
ALTER TABLE "link_terms" ADD COLUMN "changed_sequence" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "link_storylines" ADD COLUMN "changed_sequence" BIGINT NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "link_terms_changed_sequence_idx" ON "link_terms"("changed_sequence");

-- CreateIndex
CREATE INDEX "link_storylines_changed_sequence_idx" ON "link_storylines"("changed_sequence");
