"""Finding, reading and validating regulation packs.

Built-in packs live in ``mamori/regulations/packs/``; a municipality that writes its own pack
puts it in a directory named by the ``MAMORI_PACK_DIRS`` setting.  A broken pack is never
half-loaded: :class:`PackError` names the file, the path inside it, its line and the problem.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from pydantic import ValidationError

from .schema import Pack

BUILTIN_DIR = Path(__file__).resolve().parent / "packs"


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.path or '(top level)'}: {self.message}"


class PackError(Exception):
    def __init__(self, file: Path | str, problems: list[Problem]):
        self.file = str(file)
        self.problems = problems
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = [f"{self.file}: {len(self.problems)} problem(s)"]
        lines += [f"  {self.file}: {problem}" for problem in self.problems]
        return "\n".join(lines)


def pack_dirs() -> list[Path]:
    extra = [Path(p) for p in getattr(settings, "MAMORI_PACK_DIRS", [])]
    return [BUILTIN_DIR, *extra]


def available_packs() -> dict[str, Path]:
    """Pack name → file.  A pack in an extra directory may not shadow a built-in one."""
    found: dict[str, Path] = {}
    for directory in pack_dirs():
        if not directory.is_dir():
            continue
        for file in sorted(directory.glob("*.yaml")):
            found.setdefault(file.stem, file)
    return found


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a line number."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


def _format_loc(loc: tuple) -> str:
    text = ""
    for key in loc:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def parse_pack(text: str, *, file: Path | str) -> Pack:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise PackError(file, [Problem("", line, f"not valid YAML: {error}")]) from None
    if not isinstance(data, dict):
        raise PackError(file, [Problem("", 1, "a pack must be a mapping at the top level")])
    try:
        pack = Pack.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = tuple(k for k in item["loc"] if not (isinstance(k, str) and k.startswith("function-")))
            message = item["msg"].removeprefix("Value error, ")
            if not loc and "; " in message:
                problems += [Problem("", None, part) for part in message.split("; ")]
            else:
                problems.append(Problem(_format_loc(loc), _line_of(node, loc), message))
        raise PackError(file, problems) from None
    if Path(str(file)).suffix == ".yaml" and Path(str(file)).stem != pack.pack:
        raise PackError(file, [Problem("pack", _line_of(node, ("pack",)), "must match the file name")])
    return pack


def load_pack_file(file: Path | str) -> Pack:
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackError(path, [Problem("", None, "no such file")]) from None
    except UnicodeDecodeError as error:
        raise PackError(path, [Problem("", None, f"a pack must be UTF-8: {error}")]) from None
    return parse_pack(text, file=path)


@functools.lru_cache(maxsize=32)
def _cached(file: str, mtime: float) -> Pack:
    return load_pack_file(file)


def get_pack(name: str) -> Pack:
    packs = available_packs()
    if name not in packs:
        known = ", ".join(sorted(packs)) or "none"
        raise KeyError(f"no regulation pack named '{name}' (known: {known})")
    file = packs[name]
    return _cached(str(file), file.stat().st_mtime)
