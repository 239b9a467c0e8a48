"""The core rules of ARCHITECTURE.md that can be checked by reading the source.

* the domain is pure: no Flask, no SQL;
* one clock: nothing but sandbox/domain/clock.py asks the system for the time;
* one door: nothing but sandbox/engine/door.py writes a case's state.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "sandbox"
DOMAIN = SANDBOX / "domain"
CLOCK = DOMAIN / "clock.py"
DOOR = SANDBOX / "engine" / "door.py"
FORBIDDEN_IN_DOMAIN = ("flask", "sqlalchemy", "sqlmodel", "flask_smorest", "alembic", "psycopg")


def sources(root: Path) -> list[Path]:
    files = sorted(root.rglob("*.py"))
    assert files, f"no Python files under {root}"
    return files


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant):
                names.add(str(node.args[0].value))
    return names


def code_lines(path: Path) -> list[tuple[int, str]]:
    """The file's lines with comments removed (strings stay: they may hide nothing here)."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        code = line.split("#", 1)[0]
        if code.strip():
            out.append((n, code))
    return out


# --- the domain is pure --------------------------------------------------------------------


@pytest.mark.parametrize("path", sources(DOMAIN), ids=rel)
def test_domain_imports_neither_flask_nor_sql(path):
    bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN_IN_DOMAIN}
    assert not bad, f"{rel(path)} imports {sorted(bad)}"


def test_domain_does_not_import_the_outer_layers():
    for path in sources(DOMAIN):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:  # relative: may only stay inside sandbox.domain
                    assert node.level == 1, f"{rel(path)}: from {'.' * node.level}{module}"
                else:
                    assert not re.match(r"sandbox\.(adapters|engine|services|api|web)\b", module), (
                        f"{rel(path)} imports {module}"
                    )


def test_the_import_checker_sees_what_it_should(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nimport sqlalchemy.orm as orm\nfrom flask import g\n"
        "from sqlmodel import Field\n__import__('psycopg')\nfrom . import sibling\n"
    )
    assert imported_modules(sample) == {"os", "sqlalchemy.orm", "flask", "sqlmodel", "psycopg"}


# --- one clock ----------------------------------------------------------------------------

SYSTEM_TIME = re.compile(r"\bdatetime\.now\(|\bdate\.today\(|\bdatetime\.utcnow\(|\bdatetime\.today\(")


def test_only_the_clock_reads_the_system_time():
    offenders = [
        f"{rel(path)}:{n}: {line.strip()}"
        for path in sources(SANDBOX) if path != CLOCK
        for n, line in code_lines(path) if SYSTEM_TIME.search(line)
    ]
    assert not offenders, "read the time from sandbox.domain.clock:\n" + "\n".join(offenders)


def test_the_clock_is_where_the_system_time_is_read():
    assert any(SYSTEM_TIME.search(line) for _, line in code_lines(CLOCK))


def test_no_database_side_now_for_times():
    pattern = re.compile(r"\bfunc\.(now|current_timestamp|localtimestamp)\(|server_default=.*now")
    offenders = [
        f"{rel(path)}:{n}: {line.strip()}"
        for path in sources(SANDBOX)
        for n, line in code_lines(path) if pattern.search(line)
    ]
    assert not offenders, "\n".join(offenders)


# --- one door -------------------------------------------------------------------------------

STATE_WRITES = re.compile(
    r"\.state\s*=(?!=)"                           # case.state = ...
    r"|setattr\([^)]*['\"]state['\"]"             # setattr(case, "state", ...)
    r"|set_committed_value\([^)]*['\"]state['\"]"  # bypassing the unit of work
    r"|\.values\([^)]*\bstate\s*="                # update(Case).values(state=...)
    r"|\.values\(\{[^)]*['\"]state['\"]\s*:"        # .values({"state": ...})
)


def test_only_the_door_writes_a_case_state():
    offenders = [
        f"{rel(path)}:{n}: {line.strip()}"
        for path in sources(SANDBOX) if path != DOOR
        for n, line in code_lines(path) if STATE_WRITES.search(line)
    ]
    assert not offenders, "change a state through engine.door.fire:\n" + "\n".join(offenders)


def _root_call(node: ast.expr) -> str | None:
    """``insert`` for ``insert(T).values(...).returning(...)``: the call a chain starts from."""
    root = None
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            root = getattr(node.func, "id", None) or root
            node = node.func
        else:
            node = node.value
    return root


def state_writes(path: Path) -> list[int]:
    """The same rule read from the syntax tree, so a write split over lines is seen too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        if any(isinstance(t, ast.Attribute) and t.attr == "state" for t in targets):
            found.append(node.lineno)
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if (name == "values" and any(k.arg == "state" for k in node.keywords)
                    and _root_call(node) != "insert"):  # a new row starts in its initial state
                found.append(node.lineno)
            if name in ("setattr", "set_committed_value") and any(
                isinstance(a, ast.Constant) and a.value == "state" for a in node.args
            ):
                found.append(node.lineno)
    return found


def test_only_the_door_writes_a_case_state_ast():
    offenders = [f"{rel(path)}:{n}" for path in sources(SANDBOX) if path != DOOR
                 for n in state_writes(path)]
    assert not offenders, "change a state through engine.door.fire:\n" + "\n".join(offenders)
    assert state_writes(DOOR), "the door itself should be seen writing the state"


def test_the_door_writes_the_state_as_expected():
    lines = [line for _, line in code_lines(DOOR)]
    assert any(re.search(r"\.values\(state=", line) for line in lines)
    assert any(re.search(r"set_committed_value\(ctx\.subject, \"state\"", line) for line in lines)
    # Even the door never assigns the attribute: the conditional UPDATE is the write.
    assert not [line for line in lines if re.search(r"\.state\s*=(?!=)", line)]


@pytest.mark.parametrize(
    "line, caught",
    [
        ("    case.state = 'withdrawn'", True),
        ("    subject.state   =  new", True),
        ("    if case.state == 'draft':", False),
        ("    update(Case).values(state='x', version=2)", True),
        ("    stmt.values({'state': 'x'})", True),
        ("    setattr(case, 'state', 'x')", True),
        ("    set_committed_value(case, \"state\", 'x')", True),
        ("    return case.state", False),
        ("    .where(Case.state == 'draft')", False),
        ("    return {\"state\": case.state, \"version\": 1}", False),
    ],
)
def test_the_state_write_pattern(line, caught):
    assert bool(STATE_WRITES.search(line)) is caught
