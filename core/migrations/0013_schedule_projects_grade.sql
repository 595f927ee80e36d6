-- Several schedules per site, one per project of the file (MSPDI's project GUID, P6's
-- project ID): an import replaces its own project's tasks and leaves the others'.
-- '' is the site's default schedule (a CSV with no `project` column, and every task
-- imported before projects were kept). Task ids stay unique per site (the primary key).
-- A task's concrete grade (C30) when its schedule states one; NULL: the site's default.
ALTER TABLE tasks
    ADD COLUMN project text NOT NULL DEFAULT '' CHECK (length(project) <= 100),
    ADD COLUMN grade   text CHECK (grade ~ '^C[0-9]{2,3}$');

CREATE INDEX tasks_project ON tasks (site_id, project) WHERE removed_at IS NULL;
