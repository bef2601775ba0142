import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.dirname(__file__))

from mesh_support import CONTROL_URL, FEEDBACK_URL, Mesh  # noqa: E402

if not (FEEDBACK_URL and CONTROL_URL):
    pytest.skip(
        "the mesh suite runs from e2e/src/sdk-python.e2e.ts (METALOOP_FEEDBACK_URL, METALOOP_CONTROL_URL)",
        allow_module_level=True,
    )


@pytest.fixture(scope="session")
def mesh() -> Mesh:
    return Mesh()
