"""One shared, thread-safe ``httpx.Client`` per (vendor, base URL, credential) per process.

Retries live here and only here (openai-python's ``_base_client`` is the model):

* connection errors before the request was sent, and 429 (honouring ``Retry-After``, capped):
  retried for every method, since the server did not act on the request;
* read timeouts, dropped connections and the vendor's transient statuses (502/503/504, and 500
  where the vendor declares it passing): retried only for idempotent requests (GET/PUT/PATCH/DELETE
  by default, or a POST the vendor documents as idempotent);
* an action (deploy, start, stop...) whose outcome is unknown after such a failure: retried by
  :meth:`ApiClient.act` only after a look at the object shows it did not take effect;
* a POST that creates something is *never* blindly retried — the provider looks the object up
  instead (see ``SpecProvider.create``); after a read timeout it keeps looking for as long again
  (:meth:`ApiClient.look_after_timeout`), since the server may still be making it;
* other 4xx: never retried.

Backoff is exponential with full jitter. Errors are mapped to ``errors.ApiError`` subclasses at this
one boundary, with the vendor's message, never the credential.
"""

from __future__ import annotations

import contextvars
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from . import log
from .config import VendorSettings, resolve_base_url, resolve_credential
from .errors import ApiError, ErrorReply, ErrorRules, NotFound, RateLimited, ServerError, TransportError

T = TypeVar("T")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})
RETRYABLE_STATUS = frozenset({502, 503, 504})
"""Transient statuses unless a vendor declares its own (``VendorSettings.transient_statuses``)."""


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class RetryPolicy:
    #: Enough to ride out a flaky link (at 30 % of requests failing, 8 tries all fail 1 in 15,000 times)
    #: while a real outage still surfaces within about half a minute of backoff.
    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """``PULUMI_DEPLOY_MAX_ATTEMPTS`` / ``PULUMI_DEPLOY_RETRY_BASE_DELAY`` tune it (tests shorten it)."""
        return cls(
            attempts=max(1, int(_env_float("PULUMI_DEPLOY_MAX_ATTEMPTS", cls.attempts))),
            base_delay=_env_float("PULUMI_DEPLOY_RETRY_BASE_DELAY", cls.base_delay),
        )

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


TransportFactory = Callable[[str], httpx.BaseTransport]
_transport_factory: TransportFactory | None = None


@contextmanager
def use_transport(factory: TransportFactory) -> Iterator[None]:
    """Route every client created inside the block through ``factory(base_url)`` (tests)."""
    global _transport_factory
    previous = _transport_factory
    _transport_factory = factory
    clear_clients()
    try:
        yield
    finally:
        _transport_factory = previous
        clear_clients()


_fresh_listings: contextvars.ContextVar[bool] = contextvars.ContextVar("fresh_listings", default=False)


@contextmanager
def fresh_listings() -> Iterator[None]:
    """Inside the block, :meth:`ApiClient.listing` reads the server again (and refreshes what it keeps):
    after an ambiguous create, the object may have appeared a moment ago."""
    token = _fresh_listings.set(True)
    try:
        yield
    finally:
        _fresh_listings.reset(token)


@dataclass
class _Listing:
    lock: threading.Lock
    loaded: bool = False
    value: Any = None


class ApiClient:
    """A vendor API at one base URL with one credential."""

    def __init__(
        self,
        vendor: str,
        base_url: str,
        headers: dict[str, str],
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        errors: ErrorRules | None = None,
        transient: frozenset[int] | None = None,
        settings: VendorSettings | None = None,
    ) -> None:
        self.vendor = vendor
        self.errors = errors or (settings.errors if settings is not None else ErrorRules())
        #: Where this client's base URL and credential come from: the hints of its errors name them.
        self.settings = settings
        if transient is None:
            transient = settings.transient_statuses if settings is not None else RETRYABLE_STATUS
        self.transient = transient
        self._listings: dict[tuple[str, tuple[tuple[str, Any], ...]], _Listing] = {}
        self._listings_lock = threading.Lock()
        self.base_url = base_url
        self.retry = retry or RetryPolicy.from_env()
        self._sleep = sleep
        #: Seconds a request may go unanswered (each of connect, write, read).
        self.timeout = timeout if timeout is not None else _env_float("PULUMI_DEPLOY_HTTP_TIMEOUT", 30.0)
        self._http = httpx.Client(
            base_url=base_url,
            headers={"Accept": "application/json", "User-Agent": "pulumi-deploy", **headers},
            timeout=self.timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one logical request (with retries); return the decoded JSON body, or None if empty."""
        method = method.upper()
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        url = self.base_url + path
        attempt = 0
        while True:
            try:
                response = self._http.request(method, path, json=json, params=params, headers=headers)
            except httpx.TransportError as exc:
                not_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if (not_sent or safe) and attempt + 1 < self.retry.attempts:
                    self._backoff(attempt, None, f"{method} {path}: {type(exc).__name__}")
                    attempt += 1
                    continue
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                failure = TransportError(
                    self.vendor,
                    method,
                    url,
                    f"{type(exc).__name__}: {exc}{tries}",
                    timed_out=isinstance(exc, httpx.ReadTimeout),
                )
                if not_sent and self.settings is not None:
                    failure.with_hint(self.settings.unreachable_hint(self.base_url))
                raise failure from exc
            if response.status_code < 400:
                return _decode(response)
            error = _to_error(self.vendor, method, url, response, self.errors)
            if self.settings is not None:
                error.with_hint(self.settings.status_hint(response.status_code, method, self.base_url))
            retryable = isinstance(error, RateLimited) or (safe and response.status_code in self.transient)
            if retryable and attempt + 1 < self.retry.attempts:
                self._backoff(attempt, error.retry_after, f"{method} {path}: {response.status_code}")
                attempt += 1
                continue
            raise error

    def listing(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a collection at most once per provider process (one CLI operation) and path.

        Before every create the provider looks for an object an earlier run made and never recorded;
        reading each collection once per run keeps that to one listing per collection, however many
        objects the stack creates. Objects this run creates are not in it, and need not be: they are
        known from their create responses."""
        key = (path, tuple(sorted((params or {}).items())))
        if _fresh_listings.get():
            value = self.request("GET", path, params=params)
            with self._listings_lock:
                self._listings[key] = _Listing(threading.Lock(), True, value)
            return value
        with self._listings_lock:
            entry = self._listings.setdefault(key, _Listing(threading.Lock()))
        with entry.lock:  # concurrent creates share one read
            if not entry.loaded:
                entry.value = self.request("GET", path, params=params)
                entry.loaded = True
            return entry.value

    def act(
        self,
        method: str,
        path: str,
        *,
        took_effect: Callable[[], bool],
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """Send a state-changing action (deploy, start, stop...) that is not idempotent by itself.

        When its outcome is unknown — the connection dropped after sending, or the vendor answered a
        transient status — ``took_effect()`` looks at the object first: if the action happened, that is
        the answer (None); otherwise it is sent again, with the same attempts and backoff as requests.
        """
        attempt = 0
        while True:
            try:
                return self.request(method, path, json=json, params=params, idempotent=False)
            except (TransportError, ServerError) as exc:
                unknown = isinstance(exc, TransportError) or exc.status in self.transient
                if not unknown or attempt + 1 >= self.retry.attempts:
                    raise
                if took_effect():
                    log.info(f"{self.vendor}: {method} {path}: {type(exc).__name__}, but it took effect")
                    return None
                self._backoff(attempt, None, f"{method} {path}: did not take effect")
                attempt += 1

    def look_after_timeout(self, what: str, look: Callable[[], T | None]) -> T | None:
        """After a request that timed out: ``look()`` (reading afresh) with the usual backoff until it
        finds something or the server has had as long again as the timeout, then look once more.

        A server slower than the timeout may still be acting on the request; sending it again before
        the result shows could do it twice. Returns what ``look`` found, or None."""
        waited, attempt = 0.0, 0
        while True:
            with fresh_listings():
                found = look()
            if found is not None or waited >= self.timeout:
                return found
            # at most about twenty looks, however short the policy's base delay
            floor = max(self.retry.base_delay, self.timeout / 20)
            delay = min(max(self.retry.delay(attempt, None), floor), self.timeout - waited)
            log.info(f"{self.vendor}: {what}: timed out; looking again in {delay:.1f}s")
            self._sleep(delay)
            waited += delay
            attempt += 1

    def retrying(self, what: str, attempt: Callable[[int], T], retry_on: type[Exception]) -> T:
        """Repeat a short sequence of calls (``attempt(n)``, n = 0, 1, ...) that the server refused for a
        passing state (``retry_on``), with the same attempts and backoff as single requests."""
        n = 0
        while True:
            try:
                return attempt(n)
            except retry_on as exc:
                if n + 1 >= self.retry.attempts:
                    raise
                self._backoff(n, None, f"{what}: {type(exc).__name__}")
                n += 1

    def get_or_none(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path``; None when the object does not exist (404)."""
        try:
            return self.request("GET", path, params=params)
        except NotFound:
            return None

    def _backoff(self, attempt: int, retry_after: float | None, what: str) -> None:
        delay = self.retry.delay(attempt, retry_after)
        log.info(f"{self.vendor}: {what}; retrying in {delay:.1f}s (attempt {attempt + 2}/{self.retry.attempts})")
        self._sleep(delay)


def _decode(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _to_error(vendor: str, method: str, url: str, response: httpx.Response, rules: ErrorRules) -> ApiError:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    retry_after = None
    if "retry-after" in response.headers:
        try:
            retry_after = float(response.headers["retry-after"])
        except ValueError:
            retry_after = None
    cls, message = rules.classify(ErrorReply(response.status_code, method, body, response.text))
    return cls(vendor, method, url, response.status_code, message, body, retry_after)


AuthHeaders = Callable[[str | None], dict[str, str]]


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


_clients: dict[tuple[str, str, str | None, tuple[tuple[str, str], ...]], ApiClient] = {}
_clients_lock = threading.Lock()


def get_client(settings: VendorSettings, auth_headers: AuthHeaders = bearer) -> ApiClient:
    """The process-wide client for this vendor's current configuration (created lazily)."""
    base_url = resolve_base_url(settings)
    token = resolve_credential(settings, base_url)
    headers = auth_headers(token)
    key = (settings.vendor, base_url, token, tuple(sorted(headers.items())))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            transport = _transport_factory(base_url) if _transport_factory else None
            client = ApiClient(settings.vendor, base_url, headers, transport=transport, settings=settings)
            _clients[key] = client
        return client


def clear_clients() -> None:
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
