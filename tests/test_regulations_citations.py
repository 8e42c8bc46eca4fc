"""Citations found by walking the whole pack (issue 9 item 4): `mamori regulations show PACK ARTICLE`
lists every pack entry that cites the article, and a domain's pack section is validated by the
pydantic model its AppConfig declares, its typed references checked like the rest of the pack."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from pydantic import BaseModel

from mamori.regulations import schema
from mamori.regulations.base import ArticleRef, RequirementRef, RoleRef, Strict
from mamori.regulations.citations import entries_citing_article
from mamori.regulations.loader import BUILTIN_DIR, PackError, available_packs, get_pack, parse_pack
from mamori.regulations.registry import pack_entries_citing

PACKS = sorted(available_packs())


def test_mai_21_4_show_maizuru_21_lists_the_monitoring_entry():
    out = StringIO()
    call_command("regulations", "show", "maizuru", "21", stdout=out)
    text = out.getvalue()
    requirement = text[text.index("■ MAI-21-4") :]
    assert "規程パック: parameters.monitoring.search_limits — 操作記録の監視" in requirement.split("■")[1]
    assert "parameters.monitoring.subject_scope_rule" in requirement.split("■")[1]
    # The listing by article names every entry citing 第21条, with or without a requirement.
    by_article = text[text.index("■ この条を引く規程パックの項目") :]
    assert "parameters.monitoring.search_limits" in by_article
    assert "chains.data.correction.steps[0]" in by_article


def _entries_with_an_article(node: Any, path: str) -> list[tuple[str, str]]:
    """(path, article) of every mapping in the dumped pack that carries an ``article`` — found
    independently of citations.py, from the pack's plain data."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("article"), str) and path:
            found.append((path, node["article"]))
        for key, value in node.items():
            found += _entries_with_an_article(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            # Entries with a stable key are named by it: chains.access.privilege, roles.security_officer.
            key = next(
                (value[k] for k in ("kind", "code", "id") if isinstance(value, dict) and value.get(k)), None
            )
            found += _entries_with_an_article(value, f"{path}.{key}" if key else f"{path}[{index}]")
    return found


@pytest.mark.parametrize("name", PACKS)
def test_every_pack_entry_carrying_an_article_is_listed_under_that_article(name):
    pack = get_pack(name)
    dumped = pack.model_dump(exclude={"articles", "requirements"})
    entries = _entries_with_an_article(dumped, "")
    assert entries, f"{name}: no entry carries an article"
    for path, article in entries:
        listed = {entry.path for entry in entries_citing_article(pack, article)}
        assert path in listed, f"{name}: {path} cites {article} but is not listed under it"


def test_kit_5_10_entries_of_the_review_and_designation_blocks_are_listed_by_requirement():
    # Blocks the hand-kept listing missed: the reviewers (KIT-5-10) and the access rules (KIT-4).
    kitami = get_pack("kitami")
    assert any(
        e.name.startswith("parameters.review.reviewers") for e in pack_entries_citing(kitami, "KIT-5-10")
    )
    assert any(e.name == "parameters.access.organisation_scope" for e in pack_entries_citing(kitami, "KIT-4"))


# --- domain sections ----------------------------------------------------------------------------


class TrialSection(Strict):
    title: str
    article: ArticleRef
    requirement: RequirementRef
    kept_by: list[RoleRef]


def _kitami_with(sections: dict[str, Any]) -> str:
    data = yaml.safe_load((BUILTIN_DIR / "kitami.yaml").read_text(encoding="utf-8"))
    data["sections"] = sections
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def trial_section(monkeypatch):
    monkeypatch.setattr(schema, "section_models", lambda: {"trial": TrialSection})


def test_a_domain_section_is_validated_by_the_model_its_domain_declares_and_cited(trial_section):
    section = {
        "title": "試験台帳",
        "article": "5-4",
        "requirement": "KIT-5-4",
        "kept_by": ["security_officer"],
    }
    pack = parse_pack(_kitami_with({"trial": section}), file="kitami.yaml")
    assert isinstance(pack.section("trial"), BaseModel)
    assert pack.section("trial").title == "試験台帳"
    assert "sections.trial" in {entry.path for entry in entries_citing_article(pack, "5")}
    assert "sections.trial" in {entry.name for entry in pack_entries_citing(pack, "KIT-5-4")}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kept_by": ["nobody"]}, "sections.trial.kept_by: role 'nobody' is not defined"),
        ({"article": "99"}, "sections.trial.article: article '99' is not in the pack's articles"),
        ({"requirement": "KIT-99"}, "sections.trial.requirement: requirement 'KIT-99' is not in the pack"),
        ({"article": "第5条"}, "is not an article reference"),
        ({"colour": "赤"}, "Extra inputs are not permitted"),
    ],
)
def test_a_domain_section_with_a_bad_reference_is_refused_naming_the_field(trial_section, change, message):
    section = {
        "title": "試験台帳",
        "article": "5-4",
        "requirement": "KIT-5-4",
        "kept_by": ["security_officer"],
    }
    with pytest.raises(PackError) as refused:
        parse_pack(_kitami_with({"trial": {**section, **change}}), file="kitami.yaml")
    assert message in refused.value.describe()


def test_a_section_no_installed_domain_declares_is_refused(trial_section):
    with pytest.raises(PackError) as refused:
        parse_pack(_kitami_with({"nothing": {}}), file="kitami.yaml")
    assert "no installed domain declares the section(s) nothing" in refused.value.describe()
