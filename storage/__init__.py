"""Rollups of the readings, raw-data retention, compression where licensed, and the
scheduled jobs that run them (storage/jobs.py: `add_storage_jobs`)."""

from storage.jobs import add_storage_jobs

__all__ = ["add_storage_jobs"]
