"""Template filters that put words on the core's codes."""

from __future__ import annotations

from typing import Any

from django import template

from asylon.front import labels

register = template.Library()


@register.filter
def label(value: object, vocabulary: str) -> str:
    """`{{ case.state|label:"state" }}`: the words for a code, in the active language."""
    return labels.label(vocabulary, value)


@register.filter
def labels_of(values: list[object], vocabulary: str) -> list[str]:
    """`{{ person.specific_needs|labels_of:"specific_need"|join:", " }}`."""
    return [labels.label(vocabulary, v) for v in values or ()]


@register.filter
def reads_cases(user: Any) -> bool:
    """Whether the navigation offers what only caseworkers may do; the core's roles decide."""
    from asylon.procedure.access import CASEWORK

    return bool(getattr(user, "is_authenticated", False)) and user.actor().has_any(CASEWORK)


@register.filter
def reviews_emergencies(user: Any) -> bool:
    from asylon.procedure.access import BREAK_GLASS_REVIEWERS

    return bool(getattr(user, "is_authenticated", False)) and user.actor().has_any(BREAK_GLASS_REVIEWERS)


@register.filter
def registers(user: Any) -> bool:
    """Whether the navigation offers registration: the roles the intake service asks for."""
    from asylon.cases.services import INTAKE_ROLES

    return bool(getattr(user, "is_authenticated", False)) and user.actor().has_any(INTAKE_ROLES)


@register.simple_tag
def name_text(name: Any, css: str = "") -> str:
    """`{% name_text name "name-primary" %}`: a name in the script it was recorded in, with the
    language of that script, so that screen readers read it aloud and fonts draw it rightly."""
    from django.utils.html import format_html

    from asylon.dataprotection.runtime import UNREADABLE

    text = name.readable.text
    # The notice that replaces a shredded name is in the page's language, not the name's.
    lang = "" if text is UNREADABLE else labels.SCRIPT_LANGUAGES.get(name.script, "")
    return format_html(
        "<span{}{}>{}</span>",
        format_html(' class="{}"', css) if css else "",
        format_html(' lang="{}"', lang) if lang else "",
        text,
    )
