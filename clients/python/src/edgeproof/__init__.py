"""Python client for the edgeproof API (standard library only).

    from edgeproof import Client
    ep = Client("https://edgeproof.example.com", token)
    run = ep.profile("mnist", "model.onnx", devices="platform=android,tier=low").wait()
    run.results()          # plain dicts; run.results_frame() with pandas
"""

from .client import Client, parse_devices, sha256_file
from .errors import CLIENT_ERROR_CODES, ApiError, WaitTimeout
from .runs import Gate, Run

__version__ = "0.1.0"
__all__ = ["ApiError", "CLIENT_ERROR_CODES", "Client", "Gate", "Run", "WaitTimeout", "parse_devices", "sha256_file", "__version__"]
