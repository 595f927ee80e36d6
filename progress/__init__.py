"""Construction progress against the schedule: each task's variance against plan, each
floor's tasks done / under way / due, its takt cycle, and the site's one-line summary.
Pure decisions; the one read they share (where the crew was present) is presence.py's."""
