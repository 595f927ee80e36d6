-- The daily construction log's free-text section (records/daily_log.py): every version a
-- person wrote, with who and when; the day's notes are its latest version.
CREATE TABLE daily_log_notes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id     text NOT NULL REFERENCES sites ON DELETE CASCADE,
    day         date NOT NULL,
    notes       text NOT NULL CHECK (length(notes) <= 20000),
    written_at  timestamptz NOT NULL DEFAULT now(),
    written_by  text NOT NULL
);
CREATE INDEX daily_log_notes_day ON daily_log_notes (site_id, day, id DESC);
