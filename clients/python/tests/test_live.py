"""Against the real API and a real agent on the host CPU (no stand-ins)."""

from __future__ import annotations

import importlib.util

import pytest

from edgeproof import ApiError, Client

pytestmark = pytest.mark.live

# short measurements: the shared host CPU is the device; the point is the client, not the numbers
FAST = {"dims": {"batch": 1}, "warmupMinSeconds": 0.1, "measureMinRuns": 30, "measureMinSeconds": 0.3, "measureMaxRuns": 3000, "accuracyMaxSamples": 50}

FAILING_POLICY = """version: 1
name: too-big
devices: { tiers: [mid] }
confirm: false
settings:
  dims: { batch: 1 }
  warmupMinSeconds: 0.1
  measureMinRuns: 30
  measureMinSeconds: 0.3
statistics: { minSamples: 30 }
rules:
  - type: threshold
    metric: model.size
    max: 1KB
  - type: threshold
    metric: latency.p90
    max: 10s
"""


def test_upload_is_idempotent(client: Client, model_file: str) -> None:
    first = client.upload_model("py-digits", model_file, owner="python-tests")
    again = client.upload_model("py-digits", model_file)
    assert first["version"].startswith("0.0.0-")
    assert again == first
    assert [v["version"] for v in client.list_versions("py-digits")] == [first["version"]]


def test_profile_on_the_host_device_and_read_the_results(client: Client, model_file: str, dataset_file: str) -> None:
    client.upload_dataset("py-mnist-test", "1", dataset_file)
    run = client.profile("py-digits", model_file, devices="tier=mid", benchmarks=["latency", "accuracy"], dataset="py-mnist-test@1", settings=FAST)
    assert run.status in ("queued", "running")
    run.wait(timeout=120, interval=0.25)
    assert run.status == "succeeded", run.data
    rows = run.results()
    assert all(isinstance(r, dict) for r in rows)
    latency = next(r for r in rows if r["benchmark"] == "latency")
    assert latency["device"] == "host" and latency["status"] == "succeeded"
    for key in ("p50_ms", "p90_ms", "p99_ms", "session_create_ms", "first_inference_ms"):
        assert latency[key] > 0, key
    assert latency["p50_ms"] <= latency["p99_ms"]
    assert latency["size_bytes"] > 0
    accuracy = next(r for r in rows if r["benchmark"] == "accuracy")
    assert accuracy["top1"] > 0.5
    # the same run read back by id gives the same rows
    assert client.get_run(run.id).results() == rows
    if importlib.util.find_spec("pandas"):
        frame = run.results_frame()
        assert list(frame["benchmark"]) == [r["benchmark"] for r in rows]
    else:
        with pytest.raises(ImportError, match="needs pandas"):
            run.results_frame()


def test_a_gate_with_a_failing_rule_fails_and_approves_nothing(client: Client, model_file: str) -> None:
    gate = client.gate("py-digits", file=model_file, policy=FAILING_POLICY).wait(timeout=120, interval=0.25)
    assert gate.status == "done"
    assert gate.verdict == "fail"
    assert not gate.approved
    failed = [r for r in gate.rules() if r["status"] == "fail"]
    assert [r["metric"] for r in failed] == ["model.size"]
    assert client.approved("py-digits") is None


def test_a_bad_token_is_the_apis_unauthorized(client: Client) -> None:
    with pytest.raises(ApiError) as caught:
        Client(client.url, "not-a-real-token").whoami()
    assert caught.value.status == 401
    assert caught.value.code == "unauthorized"
    assert caught.value.message


def test_errors_carry_the_apis_code_and_message(client: Client) -> None:
    with pytest.raises(ApiError) as caught:
        client.get_model("no-such-model")
    assert (caught.value.status, caught.value.code) == (404, "not_found")
    assert "no-such-model" in caught.value.message
    with pytest.raises(ApiError) as bad:
        client.profile("py-digits", version="9.9.9", benchmarks=[])
    assert bad.value.code == "bad_request"
    assert "benchmarks" in bad.value.message
