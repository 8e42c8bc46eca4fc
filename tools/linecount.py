"""End-to-end line count of the designations domain and of the terminal-operator designations (issue 9,
item 2: "report the end-to-end line count of designations before and after").

    .venv/bin/python tools/linecount.py

Whole files are counted for what belongs to designations alone.  In the terminals files, which also hold
the terminal register, the operating hours and the audit search, only the top-level statements (functions,
classes, assignments, imports) whose source mentions an operator designation are counted, and in their
templates only the lines that do; the same rule before and after, so the two figures compare.
Migrations are not counted.  "lines" are physical lines, "code" the non-blank ones.

Before the fold (main at 740628d), lines / code:
  designations   models 96/82  services 296/261  api 142/114  checks+rules 83/70  demo 53/45
                 screens 223/201  tests 167/145                               total 1060/918
  terminal operators (in terminals)  models 54/50  services 228/228  api 114/113  reports 76/76
                 policies 13/13  views 164/163  templates 16/16  kinds 155/152  demo 218/213
                 tests 359/352                                                total 1397/1376
  both                                                                        2457/2294
(the terminals figures are an upper bound: a function that mentions a designation counts whole.)

After the fold (one Designation model; the register layer not yet adopted), lines / code:
  designations   models 162/144  services 463/407  api 144/116  checks+rules 83/70  demo 55/47
                 policies 11/7  reports 115/105  screens 204/182  tests 167/145  total 1404/1223
  terminal operators (in terminals)  models 0  services 52/52  api 120/120  policies 13/13
                 views 176/175  templates 16/16  kinds 166/163  demo 217/213  tests 369/363
                                                                              total 1129/1115
  both                                                                        2533/2338

On the register layer (Designation is a RegisterEntry; list, detail, end, API and exports from the
spec in designations/register.py; services include the typed record actions), lines / code:
  designations   models 133/118  services 472/413  api 32/23  checks+rules 83/70  demo 55/47
                 policies 43/32  reports 86/76  register 77/63  screens 134/118  tests 234/203
                                                                              total 1349/1163
  terminal operators (in terminals): unchanged                                total 1130/1116
  both                                                                        2479/2279
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What marks a statement of the terminals files as part of the operator designations.
OPERATOR = re.compile(r"TerminalOperator|operator|designat|Designation|指定", re.IGNORECASE)

DESIGNATIONS = {
    "models": ["mamori/designations/models.py"],
    "services": ["mamori/designations/services.py"],
    "api": ["mamori/designations/api.py"],
    "checks+rules": ["mamori/designations/checks.py", "mamori/designations/rules.py"],
    "demo": ["mamori/designations/demo.py"],
    "policies": ["mamori/designations/policies.py"],
    "reports": ["mamori/designations/reports.py"],
    "register": ["mamori/designations/register.py"],
    "screens": [
        "mamori/web/views/designations.py",
        "mamori/web/urls_designations.py",
        "mamori/web/templates/web/designations/*.html",
    ],
    "tests": ["tests/test_designations*.py"],
}

TERMINAL_OPERATORS = {
    "models": ["mamori/terminals/models.py"],
    "services": ["mamori/terminals/services.py"],
    "api": ["mamori/terminals/api.py"],
    "reports": ["mamori/terminals/reports.py"],
    "policies": ["mamori/terminals/policies.py"],
    "views": ["mamori/web/views/terminals.py", "mamori/web/urls_terminals.py"],
    "templates": ["mamori/web/templates/web/terminals/*.html"],
    "kinds": ["mamori/terminals/kinds.py"],
    "demo": ["mamori/terminals/demo.py"],
    "tests": ["tests/test_terminals*.py"],
}


def _files(patterns: list[str]) -> list[Path]:
    return sorted({p for pattern in patterns for p in ROOT.glob(pattern) if p.is_file()})


def _count(lines: list[str]) -> tuple[int, int]:
    return len(lines), sum(1 for line in lines if line.strip())


def whole(path: Path) -> tuple[int, int]:
    return _count(path.read_text(encoding="utf-8").splitlines())


def operator_part(path: Path) -> tuple[int, int]:
    """The lines of ``path`` that belong to the operator designations (see the module docstring)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if path.suffix != ".py":
        return _count([line for line in lines if OPERATOR.search(line)])
    picked: list[str] = []
    body = ast.parse(text).body
    for node in body:
        if node is body[0] and isinstance(node, ast.Expr):
            continue  # the module docstring
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        source = lines[start - 1 : node.end_lineno]
        if OPERATOR.search("\n".join(source)):
            picked += source
    return _count(picked)


def report(title: str, parts: dict[str, list[str]], counter) -> tuple[int, int]:
    total = (0, 0)
    print(title)
    for name, patterns in parts.items():
        figures = [counter(p) for p in _files(patterns)]
        lines, code = sum(f[0] for f in figures), sum(f[1] for f in figures)
        if not figures:
            continue
        print(f"  {name:<14} {lines:>5} lines {code:>5} code")
        total = (total[0] + lines, total[1] + code)
    print(f"  {'total':<14} {total[0]:>5} lines {total[1]:>5} code")
    return total


def main() -> int:
    first = report("designations", DESIGNATIONS, whole)
    second = report("terminal operators (in terminals)", TERMINAL_OPERATORS, operator_part)
    print(f"both: {first[0] + second[0]} lines {first[1] + second[1]} code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
