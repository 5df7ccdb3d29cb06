"""The edgeproof API from Python: upload, profile on devices, wait, read results, gate, ask what is approved."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from ._http import Multipart, Transport
from .errors import ApiError
from .runs import Gate, Run

_SELECTOR_LISTS = {"tier": "tiers", "tiers": "tiers", "tag": "tags", "tags": "tags", "id": "ids", "ids": "ids"}
_SELECTOR_KEYS = {"platform", "runtime", "model", "team", "pick"}


def _q(segment: str) -> str:
    return quote(segment, safe="")


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 16):
            h.update(chunk)
    return h.hexdigest()


def parse_devices(devices: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """``"platform=android,tier=low"`` or a selector dict → the API's device selector (default: one device per tier)."""
    if isinstance(devices, Mapping):
        selector = dict(devices)
    else:
        selector = {}
        for part in filter(None, (p.strip() for p in (devices or "").split(","))):
            key, sep, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not value or (key not in _SELECTOR_LISTS and key not in _SELECTOR_KEYS):
                raise ValueError(f'devices: "{part}" is not key=value with key one of platform, tier, tag, runtime, model, team, id, pick')
            if key in _SELECTOR_LISTS:
                selector.setdefault(_SELECTOR_LISTS[key], []).extend(value.split("|"))
            else:
                selector[key] = value
    if "ids" not in selector:
        selector.setdefault("pick", "one-per-tier")
    return selector


def _dataset(dataset: str | Mapping[str, str] | None) -> dict[str, str] | None:
    if dataset is None:
        return None
    if isinstance(dataset, Mapping):
        return {"name": dataset["name"], "version": dataset["version"]}
    m = re.fullmatch(r"([^@\s]+)@([^@\s]+)", dataset.strip())
    if not m:
        raise ValueError(f'dataset: "{dataset}" is not name@version')
    return {"name": m.group(1), "version": m.group(2)}


class Client:
    """``Client(url, token)``; every call raises :class:`ApiError` with the API's code and message.

    GETs, uploads (the same bytes under the same version are accepted again) and creations (sent
    with an ``Idempotency-Key``) are retried with backoff when the API or its proxy is briefly down.
    """

    def __init__(self, url: str, token: str, *, timeout: float = 30.0, upload_timeout: float = 600.0, retries: int = 3) -> None:
        self._http = Transport(url, token, timeout=timeout, upload_timeout=upload_timeout, retries=retries)

    @property
    def url(self) -> str:
        return self._http.base

    # ---- who, models, uploads

    def whoami(self) -> dict[str, Any]:
        return self._get("/v1/whoami")

    def get_model(self, name: str) -> dict[str, Any]:
        return self._get(f"/v1/models/{_q(name)}")

    def ensure_model(self, name: str, *, task_kind: str = "classification", owner: str = "unknown", description: str | None = None) -> dict[str, Any]:
        """The model, created when missing."""
        try:
            return self.get_model(name)
        except ApiError as err:
            if err.status != 404:
                raise
        body = {"name": name, "taskKind": task_kind, "owner": owner, **({"description": description} if description else {})}
        try:
            return self._http.request("POST", "/v1/models", json_body=body)[1]
        except ApiError as err:
            if err.status == 409:
                return self.get_model(name)
            raise

    def upload_model(self, model: str, file: str | os.PathLike[str], *, version: str | None = None, git_commit: str | None = None, task_kind: str = "classification", owner: str = "unknown") -> dict[str, Any]:
        """Uploads a model build (streamed from disk), creating the model when missing; returns the stored version.

        Without ``version`` the version is ``0.0.0-<first 12 hex digits of the sha256>``: the same
        bytes are the same version, so uploading again is harmless.
        """
        path = os.fspath(file)
        self.ensure_model(model, task_kind=task_kind, owner=owner)
        name = version or f"0.0.0-{sha256_file(path)[:12]}"
        form = lambda: Multipart({"version": name, "gitCommit": git_commit}, {"file": path})  # noqa: E731
        return self._http.request("POST", f"/v1/models/{_q(model)}/versions", form=form, idempotent=True)[1]

    def get_model_version(self, model: str, version: str) -> dict[str, Any]:
        return self._get(f"/v1/models/{_q(model)}/versions/{_q(version)}")

    def list_versions(self, model: str) -> list[dict[str, Any]]:
        return list(self._get(f"/v1/models/{_q(model)}/versions", {"limit": 200})["items"])

    def upload_dataset(self, name: str, version: str, file: str | os.PathLike[str]) -> dict[str, Any]:
        """Uploads an edgeproof-dataset/v1 file (JSON Lines), streamed from disk."""
        path = os.fspath(file)
        form = lambda: Multipart({"name": name, "version": version}, {"file": path})  # noqa: E731
        return self._http.request("POST", "/v1/datasets", form=form, idempotent=True)[1]

    # ---- runs

    def profile(
        self,
        model: str,
        file: str | os.PathLike[str] | None = None,
        *,
        version: str | None = None,
        devices: str | Mapping[str, Any] | None = None,
        benchmarks: Iterable[str] = ("latency",),
        dataset: str | Mapping[str, str] | None = None,
        settings: Mapping[str, Any] | None = None,
        task_kind: str = "classification",
        owner: str = "unknown",
        idempotency_key: str | None = None,
    ) -> Run:
        """Measures a model on devices: uploads ``file`` (or uses the stored ``version``) and starts a run.

        ``devices``: ``"platform=android,tier=low"`` or a selector dict (default: one device per tier);
        ``benchmarks``: latency, accuracy, parity; ``dataset``: ``"name@version"`` for accuracy.
        Returns the started :class:`Run`; ``.wait()`` it, then read ``.results()``.
        """
        model_version: dict[str, Any] | None = None
        if file is not None:
            model_version = self.upload_model(model, file, version=version, task_kind=task_kind, owner=owner)
            version = str(model_version["version"])
        if version is None:
            raise ValueError("profile: give file (a model file to upload) or version (one already stored)")
        body: dict[str, Any] = {"model": model, "version": version, "devices": parse_devices(devices), "benchmarks": list(benchmarks), "settings": dict(settings or {})}
        ds = _dataset(dataset)
        if ds:
            body["dataset"] = ds
        data = self._http.request("POST", "/v1/runs", json_body=body, idempotency_key=idempotency_key or str(uuid.uuid4()))[1]
        return Run(self, data, model_version)

    def get_run(self, run_id: str) -> Run:
        return Run(self, self._get(f"/v1/runs/{_q(run_id)}"))

    def cancel_run(self, run_id: str) -> Run:
        """Cancels a queued or running run (again: the cancelled run; a finished one is ApiError 409)."""
        return Run(self, self._http.request("POST", f"/v1/runs/{_q(run_id)}/cancel", idempotent=True)[1])

    # ---- gates and approvals

    def gate(
        self,
        model: str,
        version: str | None = None,
        *,
        policy: str | os.PathLike[str] | None = None,
        policy_name: str | None = None,
        file: str | os.PathLike[str] | None = None,
        baseline: str | None = None,
        idempotency_key: str | None = None,
    ) -> Gate:
        """Starts a gate: ``policy_name`` (a policy stored for the model: a pass approves its scope) or
        ``policy`` (a YAML file path, or the YAML text: decides, never approves). ``file`` uploads the
        build first. Returns the started :class:`Gate`; ``.wait()`` it for the verdict.
        """
        if (policy is None) == (policy_name is None):
            raise ValueError("gate: give exactly one of policy (a file or YAML text) or policy_name (a stored policy)")
        if file is not None:
            version = str(self.upload_model(model, file, version=version)["version"])
        if version is None:
            raise ValueError("gate: give version (and file, unless that version is stored)")
        ref: dict[str, Any]
        if policy_name is not None:
            ref = {"name": policy_name}
        else:
            text = os.fspath(policy)  # type: ignore[arg-type]
            if os.path.isfile(text):
                with open(text, encoding="utf-8") as f:
                    ref = {"source": f.read(), "file": os.path.basename(text)}
            else:
                ref = {"source": text}
        body: dict[str, Any] = {"model": model, "version": version, "policy": ref, **({"baseline": baseline} if baseline else {})}
        data = self._http.request("POST", "/v1/gates", json_body=body, idempotency_key=idempotency_key or str(uuid.uuid4()))[1]
        return Gate(self, data)

    def get_gate(self, gate_id: str) -> Gate:
        return Gate(self, self._get(f"/v1/gates/{_q(gate_id)}"))

    def cancel_gate(self, gate_id: str) -> Gate:
        """Cancels a running or confirming gate and its runs (again: the cancelled gate; a decided one is ApiError 409)."""
        return Gate(self, self._http.request("POST", f"/v1/gates/{_q(gate_id)}/cancel", idempotent=True)[1])

    def approved(self, model: str, *, platform: str | None = None, tier: str | None = None, channel: str | None = None) -> dict[str, Any] | None:
        """The version approved for a scope (version, sha256, sizes, download URL, evidence), or None when none is."""
        try:
            return self._get(f"/v1/models/{_q(model)}/approved", {"platform": platform, "tier": tier, "channel": channel})
        except ApiError as err:
            if err.status == 404 and err.code == "not_found":
                return None
            raise

    def list_devices(self) -> list[dict[str, Any]]:
        return list(self._get("/v1/devices")["items"])

    def _get(self, path: str, query: Mapping[str, Any] | None = None) -> Any:
        return self._http.request("GET", path, query=query)[1]
