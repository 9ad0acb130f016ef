"""The shape of the code that keeps the rules in one place."""

import ast
from pathlib import Path

import asylon.procedure

CORE = Path(asylon.procedure.__file__).parent


def test_the_procedure_core_imports_no_framework():
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in {"__future__", "dataclasses", "datetime", "enum", "typing", "asylon"}, (path.name, name)
                if top == "asylon":
                    assert name.startswith("asylon.procedure"), (path.name, name)
