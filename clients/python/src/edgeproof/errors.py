"""Errors raised by the edgeproof client."""

from __future__ import annotations

from typing import Any

#: codes the client gives itself (the API never sends them)
CLIENT_ERROR_CODES = ("unreachable", "request_timeout", "bad_response")


class ApiError(Exception):
    """A failed call: the API's ``{"error": {"code", "message", "details"}}`` when it sent one.

    ``status`` is 0 when nothing answered (``unreachable``, ``request_timeout``); a body that is not
    the API's JSON (a proxy's HTML 502, say) is ``bad_response``.
    """

    def __init__(self, status: int, code: str, message: str, *, details: Any = None, method: str = "", path: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.method = method
        self.path = path
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{'HTTP ' + str(self.status) + ' ' if self.status else ''}{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"ApiError(status={self.status!r}, code={self.code!r}, message={self.message!r})"

    @property
    def transient(self) -> bool:
        """Worth another try for a call that may be repeated."""
        if self.status == 0:
            return self.code in ("unreachable", "request_timeout")
        return self.status in (429, 502, 503, 504)


class WaitTimeout(TimeoutError):
    """``wait()`` ran out of time; the run or gate keeps going on the server."""
