"""HTTP for the client: bearer token, timeouts, retries with backoff, streamed multipart uploads (urllib only)."""

from __future__ import annotations

import json
import os
import random
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from .errors import ApiError

_REPEATABLE = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}
_CHUNK = 1 << 16


class Multipart:
    """A multipart/form-data body read from disk as it is sent (never held whole in memory)."""

    def __init__(self, fields: Mapping[str, str | None], files: Mapping[str, str]) -> None:
        self.boundary = f"edgeproof-{uuid.uuid4().hex}"
        self._parts: list[tuple[bytes, str | None]] = []
        for name, value in fields.items():
            if value is not None:
                head = f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                self._parts.append((head.encode(), None))
        for name, path in files.items():
            filename = os.path.basename(path).replace('"', "")
            head = f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            self._parts.append((head.encode(), path))
        self._tail = f"--{self.boundary}--\r\n".encode()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return sum(len(head) + (os.path.getsize(path) + 2 if path else 0) for head, path in self._parts) + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:
        for head, path in self._parts:
            yield head
            if path:
                with open(path, "rb") as f:
                    while chunk := f.read(_CHUNK):
                        yield chunk
                yield b"\r\n"
        yield self._tail


class Transport:
    def __init__(self, url: str, token: str, *, timeout: float = 30.0, upload_timeout: float = 600.0, retries: int = 3, retry_delay: float = 0.25, max_retry_delay: float = 5.0, user_agent: str = "edgeproof-python") -> None:
        self.base = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.user_agent = user_agent

    def request(self, method: str, path: str, *, query: Mapping[str, Any] | None = None, json_body: Any = None, form: Callable[[], Multipart] | None = None, headers: Mapping[str, str] | None = None, idempotency_key: str | None = None, idempotent: bool = False) -> tuple[int, Any]:
        """Returns (status, parsed JSON or None); raises ApiError."""
        repeatable = method in _REPEATABLE or idempotency_key is not None or idempotent
        attempts = 1 + (self.retries if repeatable else 0)
        for attempt in range(attempts):
            try:
                return self._once(method, path, query, json_body, form, headers, idempotency_key)
            except ApiError as err:
                if attempt + 1 >= attempts or not err.transient:
                    raise
                backoff = min(self.max_retry_delay, self.retry_delay * 2**attempt) * (0.5 + random.random() / 2)
                time.sleep(min(30.0, max(err.retry_after or 0.0, backoff)))
        raise AssertionError("unreachable")

    def _once(self, method: str, path: str, query: Mapping[str, Any] | None, json_body: Any, form: Callable[[], Multipart] | None, headers: Mapping[str, str] | None, idempotency_key: str | None) -> tuple[int, Any]:
        url = self.base + path
        params = {k: str(v) for k, v in (query or {}).items() if v is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params)
        h = {"accept": "application/json", "authorization": f"Bearer {self.token}", "user-agent": self.user_agent, **(headers or {})}
        if idempotency_key is not None:
            h["idempotency-key"] = idempotency_key
        data: Any = None
        timeout = self.timeout
        if json_body is not None:
            data = json.dumps(json_body).encode()
            h["content-type"] = "application/json"
        elif form is not None:
            body = form()
            h["content-type"] = body.content_type
            h["content-length"] = str(len(body))
            data = iter(body)
            timeout = self.upload_timeout
        req = urllib.request.Request(url, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return res.status, _parse(res.status, res.headers.get("content-type"), res.read(), method, path)
        except urllib.error.HTTPError as err:
            raise _error_from(err, method, path) from None
        except (TimeoutError, socket.timeout) as err:
            raise ApiError(0, "request_timeout", f"{method} {path}: no answer within {timeout} s") from err
        except urllib.error.URLError as err:
            if isinstance(err.reason, (TimeoutError, socket.timeout)):
                raise ApiError(0, "request_timeout", f"{method} {path}: no answer within {timeout} s", method=method, path=path) from err
            raise ApiError(0, "unreachable", f"{method} {path}: {err.reason}", method=method, path=path) from err
        except (ConnectionError, OSError) as err:
            raise ApiError(0, "unreachable", f"{method} {path}: {err}", method=method, path=path) from err


def _snippet(content_type: str | None, raw: bytes) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", raw.decode("utf-8", "replace"))).strip()[:200]
    kind = (content_type or "no content type").split(";")[0]
    return f"a {kind} body" + (f' ("{text}")' if text else "")


def _parse(status: int, content_type: str | None, raw: bytes, method: str, path: str) -> Any:
    if status == 204 or not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(status, "bad_response", f"{method} {path}: HTTP {status} with {_snippet(content_type, raw)}, not JSON", method=method, path=path) from None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _error_from(err: urllib.error.HTTPError, method: str, path: str) -> ApiError:
    raw = err.read() if err.fp else b""
    retry_after = _retry_after(err.headers.get("retry-after") if err.headers else None)
    try:
        body = json.loads(raw)
        e = body.get("error") if isinstance(body, dict) else None
    except ValueError:
        e = None
    if isinstance(e, dict) and isinstance(e.get("code"), str) and isinstance(e.get("message"), str):
        return ApiError(err.code, e["code"], e["message"], details=e.get("details"), method=method, path=path, retry_after=retry_after)
    content_type = err.headers.get("content-type") if err.headers else None
    return ApiError(err.code, "bad_response", f"{method} {path}: HTTP {err.code} {err.reason} with {_snippet(content_type, raw)}, not an API error", method=method, path=path, retry_after=retry_after)
