-- Edge keys now escape "|" and "\" inside node keys with "\" (src/graph/graph-keys.ts, edgeKey), so
-- that one key names one edge: unescaped, "mentions|doc:q|ent:r|ent:s" named two. Rows written
-- before, whose ends hold either character, get the escaped key the loader now checks them against.
-- A co-occurrence's key names its ends in order (code units; "C" collation orders by code point,
-- the same but for characters above U+FFFF against U+E000-U+FFFF).
UPDATE "stage5_edges"
SET "edge_key" = "kind" || '|' ||
  replace(replace(CASE WHEN "kind" = 'co-occurs' AND "target" COLLATE "C" < "source" COLLATE "C" THEN "target" ELSE "source" END, '\', '\\'), '|', '\|') || '|' ||
  replace(replace(CASE WHEN "kind" = 'co-occurs' AND "target" COLLATE "C" < "source" COLLATE "C" THEN "source" ELSE "target" END, '\', '\\'), '|', '\|')
WHERE strpos("source", '|') > 0 OR strpos("source", '\') > 0 OR strpos("target", '|') > 0 OR strpos("target", '\') > 0;
