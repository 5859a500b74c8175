-- storyline_events loses its foreign key to storylines, like every other record kind: checking
-- it cost one trigger call per row (about 200 ms of server time per 40k events written), and the
-- writer already writes a storyline before its events, in the same transaction. The relation
-- stays in schema.prisma (relationMode = "prisma"), so the client's includes and cascades work as before.
ALTER TABLE "storyline_events" DROP CONSTRAINT IF EXISTS "storyline_events_storyline_id_fkey";
