"""An in-tree PEP 517 build backend that needs nothing installed or downloaded, so
``pip install ./clients/python`` works offline: the package is pure Python, a wheel is a zip of
``metaloop/`` plus its metadata."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME = "metaloop"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WHEEL_TAG = "py3-none-any"


def _version() -> str:
    with open(os.path.join(ROOT, NAME, "__init__.py"), encoding="utf-8") as source:
        for line in source:
            if line.startswith("__version__"):
                return line.split("=", 1)[1].strip().strip("\"'")
    raise RuntimeError("no __version__ in metaloop/__init__.py")


def _metadata() -> str:
    readme_path = os.path.join(ROOT, "README.md")
    readme = open(readme_path, encoding="utf-8").read() if os.path.exists(readme_path) else ""
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\n"
        f"Version: {_version()}\n"
        "Summary: metaloop agent SDK: cached config with ETag revalidation and fallback, batched feedback with client event ids\n"
        "License: MIT\n"
        "Requires-Python: >=3.9\n"
        "Description-Content-Type: text/markdown\n\n"
        f"{readme}"
    )


def _package_files():
    for directory, _, files in os.walk(os.path.join(ROOT, NAME)):
        if "__pycache__" in directory:
            continue
        for name in sorted(files):
            if name.endswith((".py", ".typed")):
                path = os.path.join(directory, name)
                yield path, os.path.relpath(path, ROOT).replace(os.sep, "/")


def _dist_info() -> str:
    return f"{NAME}-{_version()}.dist-info"


def _write_metadata_dir(directory: str) -> str:
    info = os.path.join(directory, _dist_info())
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as out:
        out.write(_metadata())
    return _dist_info()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_metadata_dir(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _write_metadata_dir(metadata_directory)


def _wheel(wheel_directory: str, entries) -> str:
    filename = f"{NAME}-{_version()}-{WHEEL_TAG}.whl"
    info = _dist_info()
    wheel_text = f"Wheel-Version: 1.0\nGenerator: metaloop_build\nRoot-Is-Purelib: true\nTag: {WHEEL_TAG}\n"
    entries = list(entries) + [(f"{info}/METADATA", _metadata().encode()), (f"{info}/WHEEL", wheel_text.encode())]
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for archive_name, data in entries:
            wheel.writestr(archive_name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{archive_name},sha256={digest},{len(data)}")
        record.append(f"{info}/RECORD,,")
        wheel.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, ((name, open(path, "rb").read()) for path, name in _package_files()))


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth file puts this checkout on sys.path: edits show at once.
    return _wheel(wheel_directory, [(f"_{NAME}_editable.pth", (ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    base = f"{NAME}-{_version()}"
    filename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as sdist:
        for relative in ("pyproject.toml", "README.md", "_build/metaloop_build.py"):
            path = os.path.join(ROOT, relative)
            if os.path.exists(path):
                sdist.add(path, f"{base}/{relative}")
        for path, name in _package_files():
            sdist.add(path, f"{base}/{name}")
        pkg_info = _metadata().encode()
        member = tarfile.TarInfo(f"{base}/PKG-INFO")
        member.size = len(pkg_info)
        sdist.addfile(member, io.BytesIO(pkg_info))
    return filename
