"""The log's core stays framework-free, so a monitor can run it without Asylon's server."""

import ast
from pathlib import Path

import asylon.transparency

CORE = Path(asylon.transparency.__file__).parent
ALLOWED = {
    "__future__",
    "base64",
    "binascii",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "hashlib",
    "re",
    "typing",
    "cryptography",
    "asylon",
}


def test_the_transparency_core_imports_no_framework():
    # apps.py, models.py and services.py are the Django adapters around this core.
    for path in (CORE / name for name in ("__init__.py", "merkle.py", "note.py", "witness.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in ALLOWED, (path.name, name)
                if name.startswith("asylon"):
                    assert name.startswith("asylon.transparency"), (path.name, name)
