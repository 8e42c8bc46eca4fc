"""make mutation: break the rules on purpose, one change at a time, and see which changes no test notices.

    python tools/mutation.py [TARGET ...] [--budget 20m] [--fresh] [--report-only]

TARGET is a module (mamori/access/services.py), an app (mamori/access or access) or ``all`` (the
default).  Only the modules that declare requirement IDs (``@implements(...)``) are mutated, and in
them only the functions that carry an ID and the helpers of the same module they call: the rule
functions, services and checks.  A helper's mutants count for the IDs of the functions that call it.

It drives mutmut 3 (pinned in the ``dev`` extras), which copies the sources to ``mutants/`` and runs
each mutant in a forked worker with only the tests that call the mutated function.  Three things are
changed in mutmut for this project, from the outside:

- Strings with Japanese in them are messages and labels for people, not rules: they are not
  mutated (mutmut would make ``XX…XX`` of each).
- mutmut leaves decorated functions alone, and every rule here is decorated.  The decorators of
  this project that only register or wrap a function (``implements``, ``rule``, ``grant_check``,
  ``transaction.atomic``) are allowed: they stay on the trampoline, and the copies that mutmut makes
  of the function (the original and each mutant) go without them, so nothing is registered twice.
- The tests that call each function are found by running only the test files that can reach the
  target (they name its app, its functions or its requirement IDs), not the whole suite; the map
  is kept in ``mutants/`` and extended when another target or a changed test file needs it.

Results stay in ``mutants/`` between runs: a run tests the mutants not yet tested and the ones that
survived last time (``--fresh`` tests them all again).  The run stops at the budget (what was tested
is kept), and the report ``docs/mutation.md`` is written from every result in ``mutants/``, one line
per requirement ID.  Mutants that no test can tell from the original are listed, with the reason,
in ``docs/mutation-equivalent.yaml``.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
REPORT = ROOT / "docs" / "mutation.md"
EQUIVALENTS = ROOT / "docs" / "mutation-equivalent.yaml"
STATS_FILES = MUTANTS / "mamori-stats-files.json"
ALLOWED_DECORATORS = {"implements", "rule", "grant_check", "transaction.atomic", "atomic"}
ID_PATTERN = re.compile(r"^[A-Z]{3}-\d+(?:-\d+)*$")
# Counted as killed / survived; the rest (not checked, skipped, interrupted) are "not run".
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
SURVIVED = {"survived", "no tests", "suspicious"}


# --- what to mutate ---------------------------------------------------------------------------


@dataclass
class Function:
    name: str
    line: int  # of the ``def``
    ids: tuple[str, ...]
    decorators: tuple[str, ...]
    calls: set[str] = field(default_factory=set)
    reached_by: set[str] = field(default_factory=set)  # the IDs a helper's mutants count for


@dataclass
class Module:
    path: str  # mamori/access/services.py
    functions: dict[str, Function]  # the selected ones
    toplevel: set[str]

    @property
    def dotted(self) -> str:
        return self.path.removesuffix(".py").replace("/", ".")

    @property
    def app(self) -> str:
        return self.path.split("/")[1]

    def ids_of(self, name: str) -> tuple[str, ...]:
        function = self.functions[name]
        return function.ids or tuple(sorted(function.reached_by))

    @property
    def ids(self) -> set[str]:
        return {i for f in self.functions.values() for i in f.ids}


def _decorator_name(node: ast.expr) -> str:
    return ast.unparse(node.func if isinstance(node, ast.Call) else node)


def analyse(path: str) -> Module:
    """The functions of ``path`` to mutate: those with ``@implements`` (and only project decorators)
    and the module's own helpers they reach."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    every: dict[str, Function] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names = tuple(_decorator_name(d) for d in node.decorator_list)
        ids: list[str] = []
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and _decorator_name(decorator) == "implements":
                ids += [a.value for a in decorator.args if isinstance(a, ast.Constant)]
        calls = {n.id for stmt in node.body for n in ast.walk(stmt) if isinstance(n, ast.Name)}
        every[node.name] = Function(node.name, node.lineno, tuple(ids), names, calls)
    roots = [f for f in every.values() if f.ids and set(f.decorators) <= ALLOWED_DECORATORS]
    selected = {f.name: f for f in roots}
    for root in roots:
        stack, seen = [root.name], {root.name}
        while stack:
            for callee in every[stack.pop()].calls & every.keys():
                helper = every[callee]
                if callee in seen or not set(helper.decorators) <= ALLOWED_DECORATORS:
                    continue
                seen.add(callee)
                stack.append(callee)
                if not helper.ids:
                    helper.reached_by.update(root.ids)
                    selected[callee] = helper
    return Module(path, selected, set(every))


def id_modules() -> list[Module]:
    """Every module that declares requirement IDs, the most IDs first."""
    modules = []
    for file in sorted((ROOT / "mamori").rglob("*.py")):
        rel = file.relative_to(ROOT).as_posix()
        if "/migrations/" in rel or "@implements(" not in file.read_text(encoding="utf-8"):
            continue
        module = analyse(rel)
        if module.functions:
            modules.append(module)
    return sorted(modules, key=lambda m: (-len(m.ids), m.path))


def resolve(targets: list[str], modules: list[Module]) -> list[Module]:
    if not targets or targets == ["all"]:
        return modules
    chosen: list[Module] = []
    for target in targets:
        target = target.rstrip("/")
        if target.endswith(".py"):
            found = [m for m in modules if m.path == target]
        else:
            prefix = target if target.startswith("mamori/") else f"mamori/{target}"
            found = [m for m in modules if m.path.startswith(prefix + "/")]
        if not found:
            sys.exit(f"{target}: no module there declares requirement IDs (@implements)")
        chosen += [m for m in found if m not in chosen]
    return chosen


def tests_reaching(modules: list[Module]) -> list[str]:
    """Test files that can call the targets: they name the app, a function or a requirement ID."""
    words: set[str] = set()
    for module in modules:
        words |= {f"mamori.{module.app}", f"mamori/{module.app}", f"/{module.app}/"}
        words |= set(module.functions)
        for requirement in module.ids:
            words |= {requirement, requirement.replace("-", "_"), requirement.replace("-", "_").lower()}
    # Committed test files only: a test file somebody is still writing may fail on its own.
    tracked = subprocess.run(
        ["git", "ls-files", "tests"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found = []
    for file in sorted(ROOT / t for t in tracked if Path(t).name.startswith("test_")):
        text = file.read_text(encoding="utf-8")
        if any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w])", text) for w in words):
            found.append(file.relative_to(ROOT).as_posix())
    return found


def parse_budget(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smh]?)", text.strip())
    if not match:
        sys.exit(f"budget {text!r}: use e.g. 90s, 20m or 1h")
    return float(match[1]) * {"s": 1, "m": 60, "": 60, "h": 3600}[match[2]]


# --- inside the worker process: mutmut, adapted ------------------------------------------------


def _adapt_mutmut(modules: list[Module]) -> None:
    import libcst as cst
    from mutmut.mutation import file_mutation

    selection = {m.path: m for m in modules}
    current: dict[str, Module | None] = {"module": None}

    original_create = file_mutation.create_mutations

    def create_mutations(filename, code, *args, **kwargs):
        current["module"] = selection.get(Path(filename).as_posix())
        return original_create(filename, code, *args, **kwargs)

    original_skip = file_mutation.MutationVisitor._skip_node_and_children

    def skip(self, node):
        module = current["module"]
        if module is not None:
            if isinstance(node, cst.ClassDef):
                return True
            if isinstance(node, cst.FunctionDef):
                if node.name.value in module.functions:
                    return False
                if node.name.value in module.toplevel:
                    return True
        return original_skip(self, node)

    original_arrangement = file_mutation.function_trampoline_arrangement

    def arrangement(function, mutants, class_name):
        declarations, methods, assignments, names = original_arrangement(function, mutants, class_name)
        # The trampoline keeps the decorators; the original and the mutants go without them.
        methods = [methods[0], *(m.with_changes(decorators=[]) for m in methods[1:])]
        return declarations, methods, assignments, names

    # Words for people (Japanese messages, labels) are not rules: a string with any non-ASCII
    # character is left alone.  ASCII strings (states, actions, field names, codes) are mutated.
    from mutmut.mutation import mutators

    for index, (kind, operator) in enumerate(mutators.mutation_operators):
        if operator is mutators.operator_string:
            mutators.mutation_operators[index] = (kind, _ascii_only(operator))

    file_mutation.create_mutations = create_mutations
    file_mutation.MutationVisitor._skip_node_and_children = skip
    file_mutation.function_trampoline_arrangement = arrangement


def _ascii_only(operator):
    import libcst as cst

    def mutate(node):
        if not cst.Module([]).code_for_node(node).isascii():
            return []
        return operator(node)

    return mutate


def _refresh_data_files() -> None:
    """mutmut copies each source file once; packs, templates and the like change under it."""
    for source in (ROOT / "mamori").rglob("*"):
        if source.is_dir() or source.suffix in (".py", ".pyc"):
            continue
        target = MUTANTS / source.relative_to(ROOT)
        if not target.exists() or target.stat().st_mtime != source.stat().st_mtime:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _map_tests(tests: list[str]) -> set[str]:
    """mutmut's stats run (which test calls which mutated function), over all of ``tests`` even when
    some fail: a test that fails on the original code is left out of the map, as it would
    otherwise "kill" every mutant it touches."""
    from mutmut.__main__ import set_mutant_under_test
    from mutmut.configuration import config
    from mutmut.runners.harness import PytestRunner
    from mutmut.state import state

    class Failures:
        def __init__(self) -> None:
            self.nodeids: set[str] = set()

        def pytest_runtest_logreport(self, report) -> None:
            if report.failed:
                self.nodeids.add(report.nodeid.removeprefix("mutants/"))

    failures = Failures()
    runner = PytestRunner()
    execute = runner.execute_pytest

    def execute_all(params, **kwargs):
        kwargs["plugins"] = [*kwargs.get("plugins", []), failures]
        return execute([p for p in params if p != "-x"], **kwargs)

    runner.execute_pytest = execute_all
    set_mutant_under_test("stats")
    os.environ["MUTMUT_DEPENDENCY_DEPTH"] = str(config().dependency_tracking_depth)
    runner.run_stats(tests=tests)
    for names in state().tests_by_mangled_function_name.values():
        names -= failures.nodeids
    return failures.nodeids


def worker(modules: list[Module], targets: list[Module], fresh: bool) -> None:
    """Generate the mutants, extend the map of tests, and run the pending mutants of ``targets``."""
    os.chdir(ROOT)
    _adapt_mutmut(modules)
    import mutmut.__main__ as mm
    from mutmut.configuration import config
    from mutmut.stats import load_stats, save_stats
    from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir, setup_source_paths

    config().only_mutate = [m.path for m in modules]
    MUTANTS.mkdir(exist_ok=True)
    mm.set_mutant_under_test("mutant_generation")
    copy_src_dir()
    _refresh_data_files()
    copy_also_copy_files()
    setup_source_paths()
    mm.create_mutants(1)

    # Pending: what is not killed yet (survivors are tried again: a test may have been added),
    # less the mutants known to be equivalent.
    pending = [m.key for m in collect(targets) if fresh or not (m.status in KILLED or m.equivalent)]
    if not pending:
        print("    every mutant of the target has a result already (--fresh tests them again)")
        return

    # The map of tests: run the stats for the test files that reach the target and are not in
    # the map yet, or changed since.
    load_stats()
    done = json.loads(STATS_FILES.read_text()) if STATS_FILES.exists() else {}
    wanted = tests_reaching(targets)
    stale = [t for t in wanted if done.get(t) != (ROOT / t).stat().st_mtime]
    if stale:
        print(f"    mapping tests to functions: {len(stale)} test files")
        failed = _map_tests(stale)
        if failed:
            print(f"    left out, failing without any mutant: {', '.join(sorted(failed))}")
        save_stats()
        done.update({t: (ROOT / t).stat().st_mtime for t in stale})
        STATS_FILES.write_text(json.dumps(done, indent=1))
    # mutmut would otherwise run the stats of every test it has not seen: the map is ready.
    mm.collect_or_load_stats = lambda *args, **kwargs: load_stats()
    print(f"    {len(pending)} mutants to test")
    mm._run(pending, 1)


# --- the report -------------------------------------------------------------------------------


@dataclass
class Mutant:
    key: str
    module: Module
    function: str
    status: str
    line: int = 0
    change: str = ""
    equivalent: str = ""  # the reason


def _segments(path: Path) -> dict[str, list[str]]:
    """The lines of each top-level function, from its ``def`` to its end."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    return {
        node.name: lines[node.lineno - 1 : node.end_lineno]
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def describe(mutant: Mutant, segments: dict[str, list[str]]) -> None:
    """The line of the original file and the change, from the original and mutated copies."""
    base = mutant.key.rpartition(".")[2]
    stem = base.rpartition("_")[0]  # x_name__mutmut
    original, mutated = segments.get(stem + "_orig", []), segments.get(base, [])
    matcher = difflib.SequenceMatcher(a=original[1:], b=mutated[1:], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = " ".join(line.strip() for line in original[1 + i1 : 1 + i2])
        after = " ".join(line.strip() for line in mutated[1 + j1 : 1 + j2])
        mutant.line = mutant.module.functions[mutant.function].line + 1 + i1
        mutant.change = f"{before} → {after if after else '(removed)'}"
        return


def load_equivalents() -> list[dict]:
    if not EQUIVALENTS.exists():
        return []
    import yaml

    entries = yaml.safe_load(EQUIVALENTS.read_text(encoding="utf-8")) or []
    for entry in entries:
        missing = {"file", "function", "change", "reason"} - set(entry)
        if missing:
            sys.exit(f"{EQUIVALENTS}: an entry lacks {', '.join(sorted(missing))}: {entry}")
    return entries


def collect(modules: list[Module]) -> list[Mutant]:
    from mutmut.stats import status_by_exit_code

    equivalents = load_equivalents()
    mutants: list[Mutant] = []
    for module in modules:
        meta_path = MUTANTS / f"{module.path}.meta"
        if not meta_path.exists():
            continue
        codes = json.loads(meta_path.read_text())["exit_code_by_key"]
        segments = _segments(MUTANTS / module.path)
        for key, code in codes.items():
            name = key.rpartition(".")[2].removeprefix("x_").partition("__mutmut_")[0]
            if name not in module.functions:
                continue  # generated before the selection changed
            mutant = Mutant(key, module, name, status_by_exit_code[code])
            describe(mutant, segments)
            for entry in equivalents:
                if (entry["file"], entry["function"], entry["change"]) == (module.path, name, mutant.change):
                    mutant.equivalent = entry["reason"]
            mutants.append(mutant)
    return mutants


@dataclass
class Tally:
    mutants: int = 0
    killed: int = 0
    survived: int = 0
    equivalent: int = 0
    not_run: int = 0
    survivors: list[Mutant] = field(default_factory=list)

    def add(self, mutant: Mutant) -> None:
        self.mutants += 1
        if mutant.equivalent:
            self.equivalent += 1
        elif mutant.status in KILLED:
            self.killed += 1
        elif mutant.status in SURVIVED:
            self.survived += 1
            self.survivors.append(mutant)
        else:
            self.not_run += 1

    @property
    def score(self) -> str:
        tested = self.killed + self.survived
        return f"{100 * self.killed / tested:.0f}%" if tested else "—"


def report(modules: list[Module], budget_note: str = "") -> str:
    mutants = collect(modules)
    by_id: dict[str, Tally] = defaultdict(Tally)
    by_app: dict[str, Tally] = defaultdict(Tally)
    for mutant in mutants:
        for requirement in mutant.module.ids_of(mutant.function) or ("(no ID)",):
            by_id[requirement].add(mutant)
        by_app[mutant.module.app].add(mutant)
    total = Tally()
    for mutant in mutants:
        total.add(mutant)

    def row(label: str, t: Tally) -> str:
        return f"| {label} | {t.mutants} | {t.killed} | {t.survived} | {t.equivalent} | {t.not_run} | {t.score} |"

    lines = [
        "# Mutation testing",
        "",
        "Written by `make mutation` (tools/mutation.py, mutmut 3); do not edit by hand. Each mutant is one",
        "small change to a function that implements a requirement ID (or a helper of the same module that",
        "it calls); it is *killed* when a test that calls the function fails. Equivalent mutants, which no",
        "test can tell from the original, are listed with the reason in `docs/mutation-equivalent.yaml`.",
        "*Not run*: not tested yet (the budget ran out first). % killed = killed / (killed + survived).",
        "",
    ]
    if budget_note:
        lines += [budget_note, ""]
    lines += [
        "## Per app",
        "",
        "| app | mutants | killed | survived | equivalent | not run | % killed |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(row(app, by_app[app]) for app in sorted(by_app)),
        row("**all**", total),
        "",
        "## Per requirement ID",
        "",
        "| ID | mutants | killed | survived | equivalent | not run | % killed | survivors (file:line change) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for requirement in sorted(by_id, key=_id_sort_key):
        t = by_id[requirement]
        survivors = "<br>".join(
            f"`{m.module.path}:{m.line}` {_cell(m.change)}" for m in sorted(t.survivors, key=_where)
        )
        lines.append(row(requirement, t) + f" {survivors} |")
    return "\n".join(lines) + "\n"


def _cell(change: str) -> str:
    return "`" + change.replace("|", "\\|").replace("`", "'") + "`"


def _where(m: Mutant) -> tuple[str, int]:
    return (m.module.path, m.line)


def _id_sort_key(requirement: str) -> tuple:
    prefix, _, rest = requirement.partition("-")
    return (prefix, *(int(p) if p.isdigit() else 0 for p in rest.split("-")))


# --- the command ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="module, app or 'all' (default)")
    parser.add_argument("--budget", default="20m", help="time for the run, e.g. 90s, 20m, 1h (default 20m)")
    parser.add_argument("--fresh", action="store_true", help="test again the mutants that were killed")
    parser.add_argument("--report-only", action="store_true", help="only write docs/mutation.md")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    modules = id_modules()
    targets = resolve(args.targets, modules)

    if args.worker:
        worker(modules, targets, args.fresh)
        return
    note = ""
    if not args.report_only:
        budget = parse_budget(args.budget)
        print(f"mutation: {', '.join(m.path for m in targets)} within {args.budget}")
        note = run_within(budget, args)
    REPORT.write_text(report(modules, note), encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")


def run_within(budget: float, args: argparse.Namespace) -> str:
    """The worker in a process group of its own, with a scratch MAMORI_HOME (its own SQLite test
    database), stopped at the budget: mutmut keeps each result as it comes."""
    home = Path(tempfile.mkdtemp(prefix="mamori-mutation-"))
    env = {**os.environ, "MAMORI_HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DATABASE_URL", None)  # SQLite, never somebody's PostgreSQL test database
    command = [
        sys.executable,
        "-u",
        __file__,
        "--worker",
        *args.targets,
        *(["--fresh"] if args.fresh else []),
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        process.wait(timeout=budget)
        stopped = ""
    except subprocess.TimeoutExpired:
        print(f"mutation: the budget of {args.budget} is spent; stopping (results so far are kept)")
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        stopped = " (stopped at the budget)"
    finally:
        shutil.rmtree(home, ignore_errors=True)
    minutes = (time.monotonic() - started) / 60
    if process.returncode not in (0, None) and not stopped:
        print(f"mutation: mutmut ended with {process.returncode}", file=sys.stderr)
    return f"Last run: `{' '.join(args.targets) or 'all'}`, {minutes:.0f} min{stopped}."


if __name__ == "__main__":
    main()
