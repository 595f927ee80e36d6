"""Grafana dashboards and provisioning as code (grafana-foundation-sdk), built into JSON
under this directory by `sitepulse dashboards build`, pushed by `... publish`."""
