"""No export path exists outside the disclosure service.

Personal data leaves Asylon as a file only through asylon.safeguards.export: approved by a second
data protection officer, watermarked and logged. These tests read the source and the URL map and
fail on a second way out: a download, a CSV writer, an export route or a command that prints or
writes sealed personal data.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import asylon
from asylon.api import safeguards as safeguards_api
from asylon.api.routes import api
from asylon.cli import main

SOURCE = Path(asylon.__file__).parent
EXPORT_MODULE = "safeguards/export.py"
EXPORT_COMMAND = "cli/management/commands/disclosure_export.py"
SERVICE = "disclosure_export"
# A download that carries no personal data, and why.
NOT_PERSONAL = {
    ("api/docs.py", "FileResponse"): "the API docs' own JavaScript and CSS, from the ninja package",
    # `asylon duplicates scan` reads the operator's own list and writes pairs of its record ids.
    ("cli/management/commands/duplicates.py", "import csv"): "the operator's list, not the registry",
    ("cli/management/commands/duplicates.py", "csv.writer"): "record ids of the operator's list and scores",
    # `asylon import-list` reads an NGO's or an official list into the registry; it writes no file.
    ("people/imports.py", "import csv"): "reads the list being imported",
    ("people/imports.py", "import openpyxl"): "reads the list being imported",
}
# A download of personal data handed to the person it is about, not disclosed to a third party.
ISSUED_TO_HOLDER = {
    ("api/documents.py", "Content-Disposition"): "the holder's own identity card, printed by an issuing officer"
}
HEADER = re.compile(r"content-disposition|^\s*attachment\b|attachment\s*;|inline\s*;\s*filename", re.IGNORECASE)
DOWNLOADS = {"FileResponse", "StreamingHttpResponse", "as_attachment"}
# Commands that read no record, only files the user holds.
OFFLINE_COMMANDS = {
    "cli/management/commands/verify.py": "prints the fields of the QR code it is given, offline",
    "cli/management/commands/witness.py": "cosigns a checkpoint file; its `.text` is the checkpoint's",
    "cli/management/commands/duplicates.py": "scores the list it is given; it reads no registry record",
}
# Writing personal data in bulk, in any format.
WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook"), ("xlsxwriter", "Workbook")}
# Services that hand back personal data in bulk: a command calling one would print it.
CONTENT = {"disclosure_content", "disclosure_preview"}


def modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        name = path.relative_to(SOURCE).as_posix()
        if "/migrations/" not in name:
            found.append((name, ast.parse(path.read_text(encoding="utf-8"), filename=name)))
    return found


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _calls(node: ast.AST, name: str) -> bool:
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            if (isinstance(func, ast.Name) and func.id == name) or (
                isinstance(func, ast.Attribute) and func.attr == name
            ):
                return True
    return False


def download_markers(tree: ast.Module) -> list[tuple[int, str, bool]]:
    """Each (line, marker, inside a function that calls the disclosure service)."""
    docstrings = _docstrings(tree)
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, function: ast.AST | None) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node
        marker = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if HEADER.search(node.value):
                marker = "Content-Disposition"
        elif isinstance(node, ast.Name) and node.id in DOWNLOADS:
            marker = node.id
        elif isinstance(node, ast.Attribute) and node.attr in DOWNLOADS:
            marker = node.attr
        elif isinstance(node, ast.keyword) and node.arg in DOWNLOADS:
            marker = node.arg
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(n.split(".")[0] in {module for module, _ in WRITERS} for n in names):
                marker = f"import {', '.join(names)}"
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in WRITERS
        ):
            marker = f"{node.value.id}.{node.attr}"
        if marker:
            found.append((getattr(node, "lineno", 0), marker, function is not None and _calls(function, SERVICE)))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, None)
    return found


def sealed_attributes() -> set[str]:
    """Every `name = sealed("name")` in the models: the attributes that decrypt personal data."""
    found = set()
    for _, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                if isinstance(func, ast.Name) and func.id == "sealed":
                    found |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return found


def personal_reads(tree: ast.Module, sealed: set[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in sealed and isinstance(node.ctx, ast.Load):
            found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value in sealed:
                found.append((node.lineno, f"getattr(..., {node.args[1].value!r})"))
        elif isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in CONTENT:
                found.append((node.lineno, name))
        elif isinstance(node, ast.ImportFrom):
            found += [(node.lineno, a.name) for a in node.names if a.name in CONTENT]
    return found


def test_the_checks_see_what_they_look_for():
    download = ast.parse(
        "import csv\n"
        "def rows(request):\n"
        "    response = HttpResponse(b'')\n"
        "    response['Content-Disposition'] = f'attachment; filename=\"{name}\"'\n"
        "    csv.writer(response)\n"
        "    return FileResponse(open('x', 'rb'), as_attachment=True)\n"
    )
    assert {marker for _, marker, _ in download_markers(download)} == {
        "import csv",
        "Content-Disposition",
        "csv.writer",
        "FileResponse",
        "as_attachment",
    }
    sealed = sealed_attributes()
    assert {"text", "family_name", "given_name", "reason", "notes", "material_facts"} <= sealed
    command = ast.parse("def handle(self):\n    for n in Name.objects.all():\n        self.stdout.write(n.text)\n")
    assert personal_reads(command, sealed) == [(3, ".text")]


def test_no_module_but_the_export_makes_a_download_or_writes_rows_to_a_file():
    found = []
    for name, tree in modules():
        if name == EXPORT_MODULE:
            continue
        for line, marker, calls_service in download_markers(tree):
            if calls_service and not marker.startswith("import") and "." not in marker:
                continue  # an interface handing out the disclosure service's file
            if (name, marker) in NOT_PERSONAL or (name, marker) in ISSUED_TO_HOLDER:
                continue
            found.append(f"{name}:{line}: {marker}")
    assert found == []


def test_every_download_there_is_hands_out_the_disclosure_service_s_file():
    interfaces = {
        name
        for name, tree in modules()
        if name != EXPORT_MODULE and any(calls for _, marker, calls in download_markers(tree) if calls)
    }
    assert interfaces == {"api/safeguards.py"}


def test_no_command_prints_or_writes_personal_data_but_disclosure_export():
    sealed = sealed_attributes()
    commands = [(name, tree) for name, tree in modules() if "/management/commands/" in name]
    assert EXPORT_COMMAND in {name for name, _ in commands}
    found = []
    for name, tree in commands:
        if name == EXPORT_COMMAND:
            # It writes the service's file and nothing else: it reads no sealed attribute itself.
            assert _calls(tree, SERVICE)
            assert personal_reads(tree, sealed) == []
            continue
        if name in OFFLINE_COMMANDS:
            imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
            assert not any(m.endswith("models") or m.startswith("asylon.documents") for m in imported), name
            continue
        found += [f"{name}:{line}: {what}" for line, what in personal_reads(tree, sealed)]
    assert found == []


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def test_every_export_or_download_route_is_the_disclosure_export():
    words = re.compile(r"export|download|dump", re.IGNORECASE)
    outside_api = [
        path
        for path, pattern in _routes(get_resolver().url_patterns)
        if words.search(f"{path} {pattern.name or ''}") and not path.startswith("api/")
    ]
    assert outside_api == []
    operations = [
        (path, method, operation["operationId"])
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method, operation in methods.items()
        if words.search(f"{path} {operation['operationId']}")
    ]
    assert operations == [("/api/disclosures/{disclosure_id}/export", "post", "disclosure_export")]
    view = ast.parse(inspect.getsource(safeguards_api.disclosure_export))
    assert _calls(view, SERVICE)


def test_dumpdata_is_refused_by_the_asylon_command_with_the_way_to_export(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["asylon", "dumpdata", "people"])
    assert stopped.value.code == 1
    assert "asylon disclosure-export" in capsys.readouterr().err


def test_dumpdata_is_refused_however_it_is_called():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="disclosure-export"):
        call_command("dumpdata", "people")
