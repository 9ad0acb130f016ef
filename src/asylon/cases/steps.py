"""Build a procedure step from submitted data, shared by the web UI, the API and the CLI.

The fields of each step are read from the core's own dataclasses, so an interface can
neither add a field the core does not judge nor forget one it does.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from asylon.cases.services import InvalidInput
from asylon.people.models import is_country_code
from asylon.procedure import case as procedure


@dataclass(frozen=True)
class StepField:
    name: str
    kind: str  # "text", "bool", "choice", "countries", "datetime"
    choices: tuple[str, ...] = ()
    required: bool = True


class StepInputError(InvalidInput):
    """Submitted data does not make a step; `errors` maps each field to what is wrong."""


def step_type(name: str) -> type[procedure.Step]:
    try:
        return procedure.STEP_NAMES[name]
    except KeyError:
        raise StepInputError({"step": f"unknown step {name!r}"}) from None


def step_fields(kind: type[procedure.Step]) -> list[StepField]:
    hints = typing.get_type_hints(kind)
    found = []
    for f in dataclasses.fields(kind):
        hint = hints[f.name]
        required = f.default is dataclasses.MISSING
        if hint is bool:
            found.append(StepField(f.name, "bool", required=False))
        elif isinstance(hint, type) and issubclass(hint, StrEnum):
            found.append(StepField(f.name, "choice", tuple(m.value for m in hint), required))
        elif hint == frozenset[str]:
            found.append(StepField(f.name, "countries", required=required))
        elif hint is datetime:
            found.append(StepField(f.name, "datetime", required=required))
        else:
            found.append(StepField(f.name, "text", required=required))
    return found


def step_build(name: str, data: dict[str, Any]) -> procedure.Step:
    """A step from form or JSON data; every wrong field is named, none is guessed."""
    kind = step_type(name)
    hints = typing.get_type_hints(kind)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in step_fields(kind):
        raw = data.get(f.name)
        if raw is None:
            if f.required and f.kind != "bool":
                errors[f.name] = "This field is required."
            elif f.kind == "bool":
                values[f.name] = False
            continue
        if f.kind == "bool":
            if isinstance(raw, bool):
                values[f.name] = raw
            elif isinstance(raw, str) and raw.lower() in ("on", "true", "1", "yes", "false", "0", "no", ""):
                values[f.name] = raw.lower() in ("on", "true", "1", "yes")
            else:
                errors[f.name] = "Must be true or false."
        elif f.kind == "choice":
            if raw not in f.choices:
                errors[f.name] = f"Must be one of: {', '.join(f.choices)}."
            else:
                values[f.name] = hints[f.name](raw)
        elif f.kind == "countries":
            items = raw.replace(",", " ").split() if isinstance(raw, str) else raw
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                errors[f.name] = "Must be a list of two-letter country codes."
                continue
            codes = {i.strip().upper() for i in items if i.strip()}
            bad = sorted(c for c in codes if not is_country_code(c))
            if bad:
                errors[f.name] = f"Not two-letter country codes: {', '.join(bad)}."
            else:
                values[f.name] = frozenset(codes)
        elif f.kind == "datetime":
            moment = _moment(raw)
            if moment is None:
                errors[f.name] = "Must be a date and time with its offset, e.g. 2026-11-10T09:30:00+09:00."
            else:
                values[f.name] = moment
        elif not isinstance(raw, str):
            errors[f.name] = "Must be text."
        else:
            values[f.name] = raw
    unknown = sorted(set(data) - {f.name for f in step_fields(kind)})
    for key in unknown:
        errors[key] = "Unknown field for this step."
    if errors:
        raise StepInputError(errors)
    return kind(**values)


def _moment(raw: object) -> datetime | None:
    """An ISO 8601 date and time carrying its offset, in UTC; a time without one is ambiguous."""
    if isinstance(raw, datetime):
        parsed = raw
    elif isinstance(raw, str):
        try:
            parsed = datetime.fromisoformat(raw.strip())
        except ValueError:
            return None
    else:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None
