"""The suite runs against a real API with a host device: clients/python/test/pytest.test.ts starts both
(``npm test``) and passes EDGEPROOF_URL, EDGEPROOF_TOKEN (role ci), EDGEPROOF_TEST_MODEL (an ONNX
file) and EDGEPROOF_TEST_DATASET (its edgeproof-dataset/v1 file)."""

from __future__ import annotations

import os

import pytest

from edgeproof import Client

REQUIRED = ("EDGEPROOF_URL", "EDGEPROOF_TOKEN", "EDGEPROOF_TEST_MODEL", "EDGEPROOF_TEST_DATASET")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = [k for k in REQUIRED if not os.environ.get(k)]
    if missing:
        skip = pytest.mark.skip(reason=f"needs a running API: set {', '.join(missing)} (npm test does)")
        for item in items:
            if "live" in item.keywords:
                item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "live: talks to the API named by EDGEPROOF_URL")


@pytest.fixture(scope="session")
def client() -> Client:
    return Client(os.environ["EDGEPROOF_URL"], os.environ["EDGEPROOF_TOKEN"])


@pytest.fixture(scope="session")
def model_file() -> str:
    return os.environ["EDGEPROOF_TEST_MODEL"]


@pytest.fixture(scope="session")
def dataset_file() -> str:
    return os.environ["EDGEPROOF_TEST_DATASET"]
