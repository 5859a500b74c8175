-- A save numbers new terms after MAX(ordinal) and a read orders the terms by ordinal: both use this index.
-- CreateIndex
CREATE INDEX "link_terms_ordinal_idx" ON "link_terms"("ordinal");
