"""Runs and gates as the API reports them, with waiting and flat results."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import WaitTimeout

if TYPE_CHECKING:
    import pandas

    from .client import Client

RUN_DONE = ("succeeded", "failed", "partial", "cancelled")
GATE_DONE = ("done", "error", "cancelled")


_T = TypeVar("_T", bound="_Tracked")


class _Tracked:
    """What a run and a gate share: the API's JSON in ``data``, refreshing, waiting, cancelling."""

    _kind = ""
    _done: tuple[str, ...] = ()

    def __init__(self, client: Client, data: dict[str, Any]) -> None:
        self._client = client
        self.data = data

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def status(self) -> str:
        return str(self.data["status"])

    @property
    def done(self) -> bool:
        return self.status in self._done

    def _read(self) -> dict[str, Any]:
        raise NotImplementedError

    def _cancel(self) -> dict[str, Any]:
        raise NotImplementedError

    def refresh(self: _T) -> _T:
        self.data = self._read()
        return self

    def wait(self: _T, timeout: float | None = 1800.0, interval: float = 1.0) -> _T:
        """Polls until done; raises WaitTimeout after ``timeout`` seconds (it keeps going on the server)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done:
            if deadline is not None and time.monotonic() >= deadline:
                raise WaitTimeout(f"{self._kind} {self.id} was not done within {timeout} s (it keeps going on the server)")
            time.sleep(interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic())))
            self.refresh()
        return self

    def cancel(self: _T) -> _T:
        """Asks the API to cancel it (``POST …/cancel``) and reads it back."""
        self.data = self._cancel()
        return self


class Run(_Tracked):
    """An evaluation run: ``data`` is the API's JSON (``GET /v1/runs/:id``), every job with its result."""

    _kind = "run"
    _done = RUN_DONE

    def __init__(self, client: Client, data: dict[str, Any], model_version: dict[str, Any] | None = None) -> None:
        super().__init__(client, data)
        self._model_version = model_version

    def _read(self) -> dict[str, Any]:
        return self._client.get_run(self.id).data

    def _cancel(self) -> dict[str, Any]:
        return self._client.cancel_run(self.id).data

    def results(self) -> list[dict[str, Any]]:
        """One plain dict per job: device, benchmark, status, p50/p90/p99, init, first inference, memory, size, accuracy, parity."""
        if self._model_version is None:
            self._model_version = self._client.get_model_version(self.data["model"], self.data["version"])
        size = self._model_version.get("sizeBytes")
        gzip_size = self._model_version.get("gzipSizeBytes")
        return [_row(job, size, gzip_size) for job in self.data.get("jobs", [])]

    def results_frame(self) -> pandas.DataFrame:
        """``results()`` as a pandas DataFrame (needs pandas: ``pip install pandas``)."""
        try:
            import pandas as pd
        except ImportError as err:
            raise ImportError("results_frame() needs pandas; install it, or use results() for plain dicts") from err
        return pd.DataFrame(self.results())

    def __repr__(self) -> str:
        return f"Run(id={self.id!r}, status={self.status!r}, model={self.data.get('model')!r}, version={self.data.get('version')!r})"


def _row(job: dict[str, Any], size: Any, gzip_size: Any) -> dict[str, Any]:
    result = job.get("result") or {}
    s = result.get("summary") or {}
    env = result.get("environment") or {}
    latency = s if s.get("kind") == "latency" else {}
    stats = latency.get("stats") or {}
    device = job.get("device") or {}
    outputs = s.get("outputs") if s.get("kind") == "parity" else None
    return {
        "device": device.get("localKey"),
        "platform": device.get("platform"),
        "tier": device.get("tier"),
        "benchmark": job.get("benchmark"),
        "version": job.get("modelVersion"),
        "role": job.get("role"),
        "status": job.get("status"),
        "p50_ms": stats.get("p50"),
        "p90_ms": stats.get("p90"),
        "p99_ms": stats.get("p99"),
        "session_create_ms": latency.get("sessionCreateMs"),
        "first_inference_ms": latency.get("firstInferenceMs"),
        "peak_memory_bytes": latency.get("peakMemoryBytes"),
        "size_bytes": size,
        "gzip_size_bytes": gzip_size,
        "top1": s.get("top1") if s.get("kind") == "accuracy" else None,
        "top5": s.get("top5") if s.get("kind") == "accuracy" else None,
        "parity_max_abs_error": max((o.get("maxAbsError", 0.0) for o in outputs), default=0.0) if outputs is not None else None,
        "runtime": f"{env.get('runtime')} {env.get('runtimeVersion')} {env.get('executionProvider')}" if env else None,
        "error": job.get("error"),
    }


class Gate(_Tracked):
    """A release gate: ``data`` is the API's JSON (``GET /v1/gates/:id``)."""

    _kind = "gate"
    _done = GATE_DONE

    def _read(self) -> dict[str, Any]:
        return self._client.get_gate(self.id).data

    def _cancel(self) -> dict[str, Any]:
        return self._client.cancel_gate(self.id).data

    @property
    def verdict(self) -> str | None:
        """pass, fail or inconclusive once decided; None before (or when it ended in error / cancelled)."""
        v = self.data.get("verdict")
        return None if v is None else str(v)

    @property
    def approved(self) -> bool:
        """Whether this gate approved its scope automatically (only a stored policy's pass does)."""
        return bool(self.data.get("approvals"))

    def rules(self) -> list[dict[str, Any]]:
        """One dict per rule and device: rule, device, observed, threshold, status, explanation."""
        return [
            {
                "rule": r.get("rule"),
                "device": (r.get("device") or {}).get("localKey"),
                "metric": r.get("metric"),
                "observed": r.get("observed"),
                "threshold": r.get("threshold"),
                "p_value": r.get("pValue"),
                "status": r.get("status"),
                "explanation": r.get("explanation"),
            }
            for r in self.data.get("results", [])
        ]

    def __repr__(self) -> str:
        return f"Gate(id={self.id!r}, status={self.status!r}, verdict={self.verdict!r})"
