"""metaloop's Python client: cached agent config that survives an outage, and batched feedback."""

from ._uuid7 import Uuid7Generator, uuid7, uuid7_time_ms
from .client import Client, ConfigResult, MetaloopUnavailable

__all__ = ["Client", "ConfigResult", "MetaloopUnavailable", "Uuid7Generator", "uuid7", "uuid7_time_ms"]
__version__ = "0.1.0"
