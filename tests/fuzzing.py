"""The gateway's whole surface as one OpenAPI description, and Schemathesis cases run against a
running gateway over HTTP (tests/test_fuzz.py; ``make fuzz`` runs the same tests longer).

The public description (``/openapi.json``) holds what residents' channels and the JSON API use.
The staff console, the admin pages and Telegram's webhook are left out of it on purpose (they are
not an API for others to build on), so they are described here from the application's own routes:
every route, with the forms of console and admin pages described as form bodies whose fields are
the ones the pages' templates have (plus any other), so that Hypothesis fills them.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from bot.console.routes import checked_form
from hamkke.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "bot" / "console" / "templates"
# A staff member signing themselves out would end the signed-in fuzzing early.
NOT_FUZZED_SIGNED_IN = {("POST", "/staff/logout")}


def _routes(app: FastAPI) -> Iterator[APIRoute]:
    """Every API route, those hidden from the public description included."""
    def walk(routes: list[Any]) -> Iterator[APIRoute]:
        for route in routes:
            if isinstance(route, APIRoute):
                yield route
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from walk(list(inner.routes))
    yield from walk(list(app.routes))


def _uses(dependant: Any, call: Callable[..., Any]) -> bool:
    return any(d.call is call or _uses(d, call) for d in dependant.dependencies)


def form_fields() -> list[str]:
    """The names of the fields the console's and admin pages' forms have."""
    names: set[str] = set()
    for template in Path(TEMPLATES).glob("*.html"):
        names.update(re.findall(r'name="([a-z_][a-z0-9_]*)"', template.read_text()))
    names.discard("csrf")  # the fuzzer sends the session's token as X-CSRF-Token
    return sorted(names)


def description(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI description of every route of ``app``."""
    routes = []
    forms: set[tuple[str, str]] = set()
    for route in _routes(app):
        shown = copy.copy(route)
        shown.include_in_schema = True
        routes.append(shown)
        if _uses(route.dependant, checked_form):
            forms.update((method.lower(), route.path_format) for method in route.methods)
    spec = get_openapi(title=app.title, version=app.version, routes=routes)
    fields = form_fields()
    body = {"type": "object", "properties": {name: {"type": "string"} for name in fields},
            "additionalProperties": {"type": "string"}}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if (method, path) in forms and "requestBody" not in operation:
                operation["requestBody"] = {"content": {
                    "application/x-www-form-urlencoded": {"schema": body},
                    "application/json": {"schema": body}}}
    return spec


@dataclass
class Finding:
    """One request the fuzzer sent and what was wrong with its response."""

    method: str
    path: str
    status: int
    problem: str
    request: str


@dataclass
class Run:
    """What a fuzzing run sent and found, per operation."""

    sent: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    slowest_kakao_s: float = 0.0

    def summary(self) -> str:
        total = sum(self.sent.values())
        return (f"{total} requests to {len(self.sent)} operations, {len(self.findings)} findings; "
                f"slowest /kakao/skill answer {self.slowest_kakao_s:.2f} s")


def _send(case: Any, run: Run, base_url: str, session: Any, headers: Optional[dict[str, str]],
          cookies: Optional[dict[str, str]], check: Callable[[str, str, Any], Optional[str]]) -> None:
    """Send one generated request and record what came back."""
    import requests

    method, path = case.operation.method.upper(), case.operation.path
    name = f"{method} {path}"
    started = time.monotonic()
    try:
        response = case.call(base_url=base_url, session=session, headers=headers, cookies=cookies,
                             timeout=30, allow_redirects=False)
    except requests.RequestException as exc:
        run.findings.append(Finding(method, path, 0, f"no response: {type(exc).__name__}", case.as_curl_command()))
        return
    took = time.monotonic() - started
    if path == "/kakao/skill":
        run.slowest_kakao_s = max(run.slowest_kakao_s, took)
    run.sent[name] = run.sent.get(name, 0) + 1
    statuses = run.statuses.setdefault(name, {})
    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    # /healthz says 503 until the assistant can answer: that is its job, not an error.
    failed = response.status_code >= 500 and not (path == "/healthz" and response.status_code == 503)
    problem = f"server error {response.status_code}" if failed else check(method, path, response)
    if problem:
        run.findings.append(Finding(method, path, response.status_code, problem, case.as_curl_command()))


def fuzz(spec: dict[str, Any], base_url: str, examples: int, check: Callable[[str, str, Any], Optional[str]],
         headers: Optional[dict[str, str]] = None, cookies: Optional[dict[str, str]] = None,
         only: Callable[[str, str], bool] = lambda _method, _path: True, run: Optional[Run] = None) -> Run:
    """Send up to ``examples`` generated requests (valid ones and invalid ones) to every operation of
    ``spec`` that ``only`` admits, at ``base_url``; ``check(method, path, response)`` names what is
    wrong with a response (``None``: nothing). A 5xx is always a finding."""
    import hypothesis
    import requests
    import schemathesis
    from hypothesis import HealthCheck, Phase, Verbosity, given
    from schemathesis.generation import GenerationMode

    found = run or Run()
    schema = schemathesis.openapi.from_dict(spec)
    session = requests.Session()
    quietly = hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                                  phases=[Phase.explicit, Phase.generate], verbosity=Verbosity.quiet,
                                  print_blob=False, suppress_health_check=list(HealthCheck))
    for result in schema.get_all_operations():
        operation = result.ok()
        if not only(operation.method.upper(), operation.path):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            one = quietly(given(case=operation.as_strategy(generation_mode=mode))(
                lambda case: _send(case, found, base_url, session, headers, cookies, check)))
            try:
                one()
            except hypothesis.errors.Unsatisfiable:  # nothing invalid can be made for this operation
                pass
    session.close()
    return found
