-- The rollup refresh finds the rows received since its last run by the received_at BRIN
-- index of each chunk (0008). A block range that no summary covers yet is read whole, so
-- a range filled by ingest is summarized as soon as the next one begins (by autovacuum,
-- within its naptime) rather than at the chunk's next vacuum. New chunks take the option
-- from the hypertable's index; the existing chunks' indexes are set here.
ALTER INDEX crane_readings_received SET (autosummarize = on);
ALTER INDEX tag_readings_received SET (autosummarize = on);
ALTER INDEX env_readings_received SET (autosummarize = on);
DO $$
DECLARE
    chunk_index regclass;
BEGIN
    FOR chunk_index IN
        SELECT i.indexrelid::regclass
        FROM unnest(ARRAY['crane_readings', 'tag_readings', 'env_readings']::regclass[])
             AS h (hypertable),
             LATERAL show_chunks(h.hypertable) AS c (chunk)
        JOIN pg_index AS i ON i.indrelid = c.chunk
        JOIN pg_class AS ic ON ic.oid = i.indexrelid
        JOIN pg_am AS am ON am.oid = ic.relam AND am.amname = 'brin'
        JOIN pg_attribute AS a ON a.attrelid = c.chunk AND a.attnum = i.indkey[0]
        WHERE a.attname = 'received_at'
    LOOP
        EXECUTE format('ALTER INDEX %s SET (autosummarize = on)', chunk_index);
    END LOOP;
END $$;
