"""One error tree: every domain error under DomainError, its class naming status and problem type."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
from pathlib import Path

import pytest
from werkzeug.exceptions import HTTPException

import indicators.errors
from app.web import problems
from indicators.errors import Conflict, DomainError, InvalidChoice, UnknownChoice

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "indicators", "geodata")
ROOT_CLASS = ("geodata/errors.py", "DomainError")
# HTTP errors the app raises itself about a request (a malformed query parameter, a path that
# does not exist), not refusals of the domain: werkzeug's HTTPException, answered by the HTTP
# handler of app.web.errors (pages) and app.web.problems (problem+json).
HTTP_ERRORS = {"app.web.errors.BadRequestWithChoices", "app.web.problems.ApiProblem"}
BUILTIN_EXCEPTIONS = {
    name
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, BaseException)
}


def _sources() -> list[Path]:
    return [
        p
        for package in PACKAGES
        for p in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in p.relative_to(ROOT).parts  # Alembic's env.py runs on import
    ]


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _import_all() -> list:
    return [importlib.import_module(_module(p)) for p in _sources()]


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return list(dict.fromkeys(out))


def test_no_exception_class_outside_the_root():
    # Every class in app/, indicators/ and geodata/ (nested ones too) that derives from a
    # built-in exception is the root itself: the rest derive from it.
    offenders = []
    for path in _sources():
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ClassDef) or (rel, node.name) == ROOT_CLASS:
                continue
            bases = {
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            }
            if bases & BUILTIN_EXCEPTIONS:
                offenders.append(f"{rel}: class {node.name}({', '.join(sorted(bases))})")
    assert offenders == []


def test_every_exception_class_is_a_domain_error_or_an_http_error():
    offenders = []
    for module in _import_all():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, BaseException):
                continue
            qualified = f"{module.__name__}.{name}"
            if issubclass(cls, HTTPException):
                ok = qualified in HTTP_ERRORS
            else:
                ok = issubclass(cls, DomainError)
            if not ok:
                offenders.append(qualified)
    assert offenders == []


def test_every_domain_error_has_an_http_status_and_a_documented_problem_type():
    _import_all()
    documented = {slug for slug, _title, _when in problems.TYPES}
    tree = [DomainError, *_subclasses(DomainError)]
    assert len(tree) >= 10  # the tree was found (LoadError, ReportError, … are imported)
    status_of_type: dict[str, set[int]] = {}
    for cls in tree:
        assert 400 <= cls.status <= 599, cls
        assert cls.problem_type in documented, (cls, cls.problem_type)
        status_of_type.setdefault(cls.problem_type, set()).add(cls.status)
        # The tree in indicators.errors' docstring names every class: it is the map.
        assert cls.__name__ in (indicators.errors.__doc__ or ""), cls
    # One problem type, one status: a client can rely on the pair.
    assert all(len(s) == 1 for s in status_of_type.values()), status_of_type


def test_status_and_problem_type_belong_to_the_class():
    with pytest.raises(TypeError):
        DomainError("x", "kaputt", status=409)  # type: ignore[call-arg]
    err = UnknownChoice("jahr", "Kein Wert für 1990.", [2020, 2021])
    assert (err.status, err.problem_type) == (404, "not-found")
    assert isinstance(err, InvalidChoice)  # a page's `except InvalidChoice` still catches it


def _handler(app):
    return app.error_handler_spec[None][None][DomainError]


def test_the_one_handler_answers_with_the_class_status_and_type(empty_app):
    from app.web.errors import with_links

    handle = _handler(empty_app)
    with empty_app.test_request_context("/api/v1/streuung?y=a"):
        resp = handle(Conflict("y", "Schon veröffentlicht.", ["a", "b"]))
        body = resp.get_json(force=True)
    assert resp.status_code == 409 and resp.mimetype == problems.MEDIA_TYPE
    assert body["type"].endswith("#problem-conflict") and body["detail"] == "Schon veröffentlicht."
    assert body["parameter"] == "y" and body["allowed"] == ["a", "b"]
    with empty_app.test_request_context("/streuung"):
        html, status = handle(UnknownChoice("jahr", "Kein Wert für 1990.", [2020, 2021]))
        assert status == 404 and "Möglich: 2020, 2021." in html
        err = with_links(InvalidChoice("y", "Zweimal dieselbe."), [("/streuung?y=b", "Kennzahl B")])
        html, status = handle(err)
        assert status == 400 and 'href="/streuung?y=b"' in html and "Möglich" not in html
