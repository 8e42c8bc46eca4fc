"""Issue 9 item 5: one typed enum of record actions.  Every action mamori writes is a member of
RecordAction, with the code the chain has always stored and a Japanese label for the screens."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from mamori.records.actions import RecordAction
from mamori.records.models import Record
from mamori.records.services import Entry
from mamori.registers.spec import RegisterSpec

MAMORI = Path(__file__).resolve().parent.parent / "mamori"
SOURCES = [p for p in MAMORI.rglob("*.py") if "migrations" not in p.parts]
# The calls that write a record, and where their action goes: a keyword, or entry_for's second argument.
WRITERS = {"Entry", "record_append", "entry_for"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _action_arguments(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node.func) not in WRITERS:
            continue
        for keyword in node.keywords:
            if keyword.arg == "action":
                yield keyword.value
        if _name(node.func) == "entry_for" and len(node.args) >= 2:
            yield node.args[1]


def test_it_passes_no_literal_string_as_a_records_action():
    """A literal or f-string given to a record writer is refused: it must name a member (a variable
    holding one is checked by mypy in the services and by Entry at run time everywhere)."""
    found = []
    for path in SOURCES:
        for value in _action_arguments(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(value, ast.Constant | ast.JoinedStr | ast.BinOp):
                found.append(f"{path.relative_to(MAMORI.parent)}:{value.lineno}")
    assert not found, found


def test_every_recordaction_attribute_used_in_mamori_is_a_member():
    members = set(RecordAction.__members__)
    unknown = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "RecordAction"
                and node.attr not in members
                and not hasattr(RecordAction, node.attr)  # label_of, of_register
            ):
                unknown.append(f"{path.relative_to(MAMORI.parent)}:{node.lineno} {node.attr}")
    assert not unknown, unknown


def test_no_action_code_is_spelled_out_outside_the_enum():
    """Code that reads records by action (verify, the anchors) names the member, not the string."""
    values = {member.value for member in RecordAction}
    # The register layer's codes are also the registers' permission names ("equipment.add").
    registers = {m.value for m in RecordAction if m.value.rsplit(".", 1)[-1] in ("add", "change", "end")}
    spelled = []
    for path in SOURCES:
        if path.name == "actions.py" and path.parent.name == "records":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in values - registers:
                spelled.append(f"{path.relative_to(MAMORI.parent)}:{node.lineno} {node.value}")
    assert not spelled, spelled


def test_every_register_on_the_register_layer_has_its_actions():
    specs = []
    for path in MAMORI.glob("*/register.py"):
        module = importlib.import_module(f"mamori.{path.parent.name}.register")
        specs += [value for value in vars(module).values() if isinstance(value, RegisterSpec)]
    assert specs
    for spec in specs:
        verbs = ["change"] + (["add"] if spec.adds is None else []) + (["end"] if spec.ends is None else [])
        for verb in verbs:
            assert RecordAction.of_register(spec.name, verb).label


def test_every_label_is_japanese_and_unique():
    labels = [member.label for member in RecordAction]
    assert all(JAPANESE.search(str(label)) for label in labels), labels
    assert len(set(labels)) == len(labels)


def test_the_stored_codes_stay_what_the_chain_holds():
    # Renaming a value would make every record written with it fail verification.
    assert RecordAction.ENTITLEMENT_REGISTERED == "access.entitlement.registered"
    assert RecordAction.ENTITLEMENT_REGISTERED.label == "権限を登録"
    assert RecordAction.STEP_APPROVED == "workflow.step.approve"
    assert RecordAction.FINDING_REOPENED_BY_ADMINISTRATOR == "findings.open"


def test_an_entry_refuses_a_free_string():
    with pytest.raises(TypeError):
        Entry(action="access.entitlement.registered", object_type="t", object_id="1")  # type: ignore[arg-type]
    with pytest.raises(LookupError):
        RecordAction.of_register("nothing", "add")


def test_a_screen_shows_the_label_and_an_unlisted_historic_code_as_stored():
    assert Record(action="access.entitlement.registered").action_label == "権限を登録"
    assert Record(action="test.no_longer_written").action_label == "test.no_longer_written"
