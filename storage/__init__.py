"""Rollups of the readings, raw-data retention, compression where licensed, and the
storage service that runs them as named jobs (storage/service.py), hosted by either
process."""
