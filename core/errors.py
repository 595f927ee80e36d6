"""The exceptions SitePulse raises on purpose; each docstring is its default message."""


def first_line(exc: BaseException) -> str:
    """A driver error's first line: enough for a log line, without its multi-line detail."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class SitePulseError(Exception):
    """SitePulse failed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.__doc__ or type(self).__name__)


class DatabaseUnavailable(SitePulseError):
    """The database cannot be reached; check SITEPULSE_DATABASE_URL and that it is running."""


class DatabaseRefused(SitePulseError):
    """The database refused the data; sending the same again would be refused again."""


class TimescaleMissing(SitePulseError):
    """TimescaleDB is not available in this database: install it and preload it
    (shared_preload_libraries = 'timescaledb'), then run `sitepulse db migrate`."""


class SchemaBehind(SitePulseError):
    """The database schema is behind this version of SitePulse: run `sitepulse db migrate`."""


class MigrationTampered(SitePulseError):
    """An applied migration file was changed after it ran; add a new migration instead."""


class SiteFileInvalid(SitePulseError):
    """The site file is invalid."""


class RulesInvalid(SitePulseError):
    """The rule pack is invalid."""


class NotifyConfigInvalid(SitePulseError):
    """The notification file is invalid."""


class AlertNotFound(SitePulseError):
    """No such alert."""


class AlertTransitionRefused(SitePulseError):
    """The alert cannot make that transition."""


class ScheduleInvalid(SitePulseError):
    """The schedule file cannot be imported."""
