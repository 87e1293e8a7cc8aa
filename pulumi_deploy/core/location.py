"""Where an object lives: the address of its server, recorded with its outputs.

A resource's calls go to the server its connection names, else the one stack config and environment
name. Those settings can change after the object was made: a new base URL in stack config, another
URL of the same server (a host name for an address, a proxy), another API version of the same cloud.
The object does not follow: it stays on the server that made it. So each read, update and create
records the address it reached the object at (:class:`~.bookkeeping.Bookkeeping` ``location``), and

- read (refresh) and delete go to the recorded address while the settings name another server, so a
  refresh never drops an object because the settings now point elsewhere, and a destroy deletes it
  where it is;
- ``check`` records in the inputs the address the settings name (the target), and ``diff`` compares it
  with the recorded one; when they differ it looks the object up at the new address (a read-only
  GET). Found there, it is the same server under another URL: the next ``up`` records the new address
  and calls nothing else. Not found, the object moves: ``up`` creates it on the new server and deletes
  it from the old one, and the preview says so.

State written before addresses were recorded has none: its calls go where the settings point, as they
always did, until a refresh or an update records one.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

#: The preview's note for an object whose connection now names another base URL.
MOVE_NOTE = (
    "connection names another base URL: the object is created there, then deleted from the one it lives on"
)
#: ... and for one whose connection is known only at ``up`` (an ``Output`` of a resource still changing).
MAY_MOVE_NOTE = (
    "connection is known only at `up`: should it name another server then, `up` replaces the object "
    "(creates it there, then deletes it from the one it lives on)"
)

Location = dict[str, str]


@dataclass(frozen=True)
class Relocation:
    """The settings now name another server than the one the object was recorded on."""

    #: The base URL the object was recorded at, and the one the settings name now.
    lives_on: str
    now_named: str
    #: The new address answers for the object: one server under another URL, nothing moves.
    found_there: bool
    #: The resource's connection names the new address (else stack config or the environment does).
    by_connection: bool

    @property
    def moves(self) -> bool:
        return not self.found_there

    def note(self) -> str:
        if self.found_there:
            return (
                f"{self.now_named} answers for this object too (it was recorded at {self.lives_on}): "
                "the stack records the new address; the object stays"
            )
        if self.by_connection:
            return MOVE_NOTE
        return (
            f"the stack's settings now name another server ({self.now_named}): the object is created there, "
            f"then deleted from the one it lives on ({self.lives_on})"
        )


def as_record(location: Location) -> tuple[tuple[str, str], ...]:
    """``location`` as the bookkeeping stores it."""
    return tuple(sorted(location.items()))


def has_userinfo(value: str) -> bool:
    """``value`` is a URL that carries a user name or password (never stored in plain text)."""
    return without_userinfo(value) != value


def url_credentials(value: str) -> set[str]:
    """The credentials a URL carries in its user info (``https://user:token@host``): the password, or a
    user name given alone (``https://token@host``); withheld from messages like any other secret."""
    if "@" not in value:
        return set()
    if "://" not in value:  # no scheme (refused, quoting it): only a `user:password@` is known for one
        if ":" not in value.split("@", 1)[0]:
            return set()
        value = f"//{value}"
    parts = urlsplit(value)
    if "@" not in parts.netloc:
        return set()
    user, _, password = parts.netloc.rsplit("@", 1)[0].partition(":")
    return {password} if password else {user} if user else set()


def without_userinfo(url: str) -> str:
    """``url`` with any user name and password left out (for messages)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
