"""Database connections: one pool for request/response services, plain connections for
the long-lived writers; driver errors become SitePulse errors here, once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolTimeout

from core.errors import DatabaseRefused, DatabaseUnavailable, SitePulseError, first_line
from core.settings import Settings

Connection = psycopg.Connection[TupleRow]

# SQLSTATE classes that say the database (not the data) failed: connection exception,
# insufficient resources (disk full, out of memory, too many connections), operator
# intervention (shutdown, cannot connect now, cancelled), system error; and a transaction
# rolled back for serialization or deadlock, which the same data passes on a retry.
_UNAVAILABLE_CLASSES = frozenset({"08", "40", "53", "57", "58"})


def translate(exc: BaseException) -> SitePulseError:
    """An error from a database call as SitePulse sees it: the database is away (hold the
    data and retry) or it refused the data (retrying would be refused again). Besides the
    driver's errors, what the driver raises while encoding a value (UnicodeEncodeError for
    a lone surrogate, OverflowError, ValueError) is a refusal of the data too."""
    if isinstance(exc, SitePulseError):
        return exc
    if isinstance(exc, psycopg.InterfaceError) or (
        isinstance(exc, psycopg.OperationalError)
        and (exc.sqlstate is None or exc.sqlstate[:2] in _UNAVAILABLE_CLASSES)
    ):
        return DatabaseUnavailable(f"{DatabaseUnavailable.__doc__} ({first_line(exc)})")
    return DatabaseRefused(f"{type(exc).__name__}: {first_line(exc)}")


def unless_duplicate(conn: Connection, work: Callable[[], object]) -> bool:
    """Run `work` in a savepoint of the transaction under way: True when done, False when
    it would have stored a row twice (a unique violation; nothing of `work` is kept, and
    the transaction goes on). Any other error is raised as it came."""
    try:
        with conn.transaction():
            work()
    except psycopg.errors.UniqueViolation:
        return False
    return True


def refusal_of(exc: Exception) -> SitePulseError:
    """The database's refusal of the data that caused `exc`; when the database is away
    instead, that is raised (DatabaseUnavailable), for the caller's caller to hold on."""
    refusal = translate(exc)
    if isinstance(refusal, DatabaseUnavailable):
        raise refusal from exc
    return refusal


def connect(settings: Settings, *, autocommit: bool = True) -> Connection:
    try:
        return psycopg.connect(
            settings.database_url.get_secret_value(),
            autocommit=autocommit,
            application_name="sitepulse",
            connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"{DatabaseUnavailable.__doc__} ({first_line(exc)})") from exc


@contextmanager
def database_errors() -> Iterator[None]:
    """Within this block, the driver's errors come out as the project's: DatabaseUnavailable
    (the database is away: retry later) or DatabaseRefused (the data or the query)."""
    try:
        yield
    except (psycopg.Error, PoolTimeout) as exc:
        if isinstance(exc, PoolTimeout):
            raise DatabaseUnavailable(f"{DatabaseUnavailable.__doc__} ({exc})") from exc
        raise translate(exc) from exc


class Pool:
    """A connection pool whose connections speak the project's errors (see
    `database_errors`): callers catch SitePulseError, never the driver's."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[Connection]:
        with database_errors(), self._pool.connection(timeout=timeout) as conn:
            yield conn

    def close(self) -> None:
        self._pool.close()


def create_pool(settings: Settings, *, min_size: int = 1, max_size: int = 10) -> Pool:
    return Pool(
        ConnectionPool(
            settings.database_url.get_secret_value(),
            min_size=min_size,
            max_size=max_size,
            kwargs={"autocommit": True, "application_name": "sitepulse"},
            open=True,
        )
    )
