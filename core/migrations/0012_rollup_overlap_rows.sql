-- What the last rollup refresh saw of the rows received in its overlap (the time before
-- its watermark that the next refresh looks at again, for readings whose commit lagged
-- their receive time): from when, and how many rows of each minute. Readings are never
-- updated nor deleted, so a minute that holds more such rows now has a late reading; the
-- others need not be rolled again (storage/touched.py).
ALTER TABLE rollup_watermarks
    ADD COLUMN overlap_from timestamptz,
    ADD COLUMN overlap_minutes timestamptz[] NOT NULL DEFAULT '{}',
    ADD COLUMN overlap_rows bigint[] NOT NULL DEFAULT '{}';
