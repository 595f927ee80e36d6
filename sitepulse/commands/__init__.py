"""The command groups of `sitepulse`, one module each: its `register(commands)` adds its
subcommands and their handlers, which import what they run only when run."""
