"""The log keeps where and when something happened, never what a request or an exception held."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from django.test import RequestFactory
from django.utils.log import AdminEmailHandler

from asylon.config.logs import Redact

NAME = "리순희 Ri Sun Hui"


def record(name: str, msg: str, *args, exc_info=None, **extra) -> logging.LogRecord:
    made = logging.getLogger(name).makeRecord(name, logging.ERROR, __file__, 1, msg, args, exc_info, extra=extra)
    Redact().filter(made)
    return made


def test_a_request_is_logged_as_method_path_status_and_reference_only():
    request = RequestFactory().post("/cases/7/steps/screen/?q=Ri+Sun", {"reason": NAME})
    request.reference = "0a1b2c3d4e"

    logged = record("django.request", "Unprocessable Content: %s", request.path, request=request, status_code=422)

    assert logged.getMessage() == "POST /cases/7/steps/screen/ 422 ref=0a1b2c3d4e"
    assert logged.request is None


def test_a_query_string_is_withheld_from_any_message():
    logged = record("django.server", '"%s" %s %s', "GET /?q=%EB%A6%AC HTTP/1.1", "200", "512")

    assert logged.getMessage() == '"GET /?(query withheld) HTTP/1.1" 200 512'


def test_an_exception_keeps_its_frames_and_types_and_those_it_came_from_but_no_message():
    try:
        try:
            raise KeyError(NAME)
        except KeyError as lookup:
            raise ValueError(f"no case for {NAME}") from lookup
    except ValueError:
        logged = record("waitress", "Exception while serving /cases/7/", exc_info=sys.exc_info())

    assert logged.exc_info is None
    assert "builtins.KeyError (message withheld)" in logged.exc_text
    assert "builtins.ValueError (message withheld)" in logged.exc_text
    assert "test_an_exception_keeps_its_frames" in logged.exc_text
    formatted = logging.Formatter().format(logged)
    assert "Ri Sun" not in formatted
    assert "리순희" not in formatted


def test_no_logger_mails_a_request_to_the_administrators():
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]

    assert [lg.name for lg in loggers if any(isinstance(h, AdminEmailHandler) for h in lg.handlers)] == []


def test_debug_pages_are_refused_outside_the_demo(tmp_path):
    env = {
        **os.environ,
        "ASYLON_DEMO": "false",
        "ASYLON_DEBUG": "true",
        "ASYLON_SECRET_KEY": "x" * 60,
        "ASYLON_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", "import asylon.config.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "ASYLON_DEBUG" in done.stderr
