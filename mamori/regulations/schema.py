"""The schema of a regulation pack (規程パック).

A pack is one YAML file that says, as data, what one municipality's 規程 asks of mamori:
its articles, the roles and the posts that hold them, the approval chains of each kind of
申請, rule parameters, forms (様式) and reference tables (別表).  The engine reads only this;
it never asks which city it is running for.

Article references are written ``"5"`` (第5条), ``"5-2"`` (第5条第2項) or ``"5-2-3"``
(第5条第2項第3号).  An article number with a branch (第5条の2) is written ``"5の2"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Literal

from django.apps import apps
from pydantic import BaseModel, Field, field_validator, model_validator

from mamori.core.plugins import retention_classes, section_models

from .base import (  # noqa: F401  (re-exported: packs' users import them from here)
    ARTICLE_REF,
    CODE,
    HH_MM,
    KIND,
    MONTH_DAY,
    REQUIREMENT_ID,
    Strict,
    _check_article_ref,
    field_reference_kind,
)
from .parameters import (  # noqa: F401  (re-exported)
    AccessRules,
    BiometricRule,
    CalendarRules,
    Cited,
    Closure,
    DesignationRule,
    DirectAssignmentRule,
    Hours,
    ManagedPasswordRules,
    Monitoring,
    MonitoringRule,
    OperatingHours,
    OperatorDesignation,
    OperatorIdRules,
    Parameters,
    PasswordRules,
    RetentionClass,
    Reviewer,
    ReviewRules,
    SearchLimits,
    SubjectScope,
    SystemFlag,
    UserRegistrationRule,
    ViewingIdRules,
)


def section_references(value: object, path: str) -> Iterator[tuple[str, str, str]]:
    """(where, kind, reference) for every field of a domain section typed as a reference."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            kind = field_reference_kind(type(value), name)
            field = getattr(value, name)
            if kind is not None:
                for ref in [field] if isinstance(field, str) else list(field or []):
                    yield f"{path}.{name}", kind, ref
            else:
                yield from section_references(field, f"{path}.{name}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from section_references(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from section_references(item, f"{path}.{key}")


# --- articles -------------------------------------------------------------------------------


class Item(Strict):
    """号 of a paragraph."""

    number: int = Field(ge=1)
    text: str = ""
    missing: bool = False
    note: str | None = None


class Paragraph(Strict):
    """項 of an article.  ``missing: true`` marks a paragraph absent from the published text."""

    number: int = Field(ge=1)
    text: str = ""
    items: list[Item] = []
    missing: bool = False
    note: str | None = None


class Article(Strict):
    """条.  ``number`` is "5" or "5の2"; ``paragraphs`` starts at 第1項."""

    number: str
    caption: str | None = None
    chapter: str | None = None
    paragraphs: list[Paragraph] = Field(min_length=1)

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        return _check_article_ref(value)

    @model_validator(mode="after")
    def _paragraphs_are_numbered_in_order(self) -> Article:
        numbers = [p.number for p in self.paragraphs]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"paragraph numbers must run 1, 2, 3… without gaps; got {numbers}")
        return self


# --- roles ----------------------------------------------------------------------------------


class PostRef(Strict):
    """A post that holds a role ex officio: the title (課長, 部長, 副市長…) and, optionally, the
    unit it belongs to (by name or code) or the level of unit (部, 課…)."""

    post: str
    unit: str | None = None
    unit_level: str | None = None


class Role(Strict):
    code: str
    name: str
    articles: list[str] = Field(min_length=1)
    requirements: list[str] = []
    # Ex officio holders.  Empty when the role is held by appointment only.
    held_by: list[PostRef] = []
    # Held by appointment (任命・指定); ``appointed_by`` is the role that appoints.
    appointed: bool = False
    appointed_by: str | None = None
    # One holder per unit of this level (各部長 → "部").  None: the whole municipality.
    scope: str | None = None
    # The role that acts when the holder is absent or the post vacant (事故があるとき、又は欠けたとき).
    deputy: str | None = None
    duties: list[str] = []
    note: str | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not CODE.match(value):
            raise ValueError(f"role code '{value}' must be lower-case ascii (a-z, 0-9, _)")
        return value

    @field_validator("articles")
    @classmethod
    def _articles(cls, values: list[str]) -> list[str]:
        return [_check_article_ref(v) for v in values]

    @model_validator(mode="after")
    def _held_somehow(self) -> Role:
        if not self.held_by and not self.appointed:
            raise ValueError("a role needs 'held_by' posts or 'appointed: true'")
        return self


# --- approval chains ------------------------------------------------------------------------


class LeadTime(Strict):
    """A request must be filed ``days`` before the date in ``payload[date_field]``."""

    days: int = Field(ge=1)
    counting: Literal["calendar", "working"] = "calendar"
    on_late: Literal["refuse", "mark"] = "refuse"
    date_field: str
    article: str
    requirements: list[str] = []

    @field_validator("article")
    @classmethod
    def _article(cls, value: str) -> str:
        return _check_article_ref(value)


class Step(Strict):
    role: str
    # What the step does, in the words of the article (承認, 同意, 登録, 許可…).
    label: str = "承認"
    article: str
    # Where a scoped role is resolved: in the requester's unit, in the unit named by the payload's
    # ``unit`` field, or in the unit that owns the system named by the payload's ``system`` field.
    resolve_in: Literal["requester_unit", "subject_unit", "system_owner"] = "requester_unit"

    @field_validator("article")
    @classmethod
    def _article(cls, value: str) -> str:
        return _check_article_ref(value)


class Chain(Strict):
    kind: str
    title: str
    form: str | None = None
    articles: list[str] = Field(min_length=1)
    requirements: list[str] = []
    # Roles that may file this kind of request; empty means any member of staff.
    filed_by: list[str] = []
    lead_time: LeadTime | None = None
    steps: list[Step] = Field(min_length=1)
    # Roles told when the request is completed, besides the requester.
    notify_on_completion: list[str] = []

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if not KIND.match(value):
            raise ValueError(f"request kind '{value}' must look like 'access.privilege_grant'")
        return value


# --- forms and tables -----------------------------------------------------------------------


class FormField(Strict):
    name: str
    label: str
    type: Literal["text", "textarea", "date", "datetime", "choice", "person", "unit", "system", "number"] = (
        "text"
    )
    required: bool = True
    choices: list[str] = []
    help: str | None = None


class Form(Strict):
    id: str
    title: str
    article: str
    fields: list[FormField] = []
    note: str | None = None

    @field_validator("article")
    @classmethod
    def _article(cls, value: str) -> str:
        return _check_article_ref(value)


class Table(Strict):
    id: str
    title: str
    article: str | None = None
    requirements: list[str] = []
    columns: list[str] = Field(min_length=1)
    rows: list[list[str]] = []

    @model_validator(mode="after")
    def _rows_fit_columns(self) -> Table:
        for index, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"row {index} has {len(row)} cells but there are {len(self.columns)} columns"
                )
        return self


# --- requirements ---------------------------------------------------------------------------


class Requirement(Strict):
    id: str
    area: str
    articles: list[str] = Field(min_length=1)
    summary: str

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not REQUIREMENT_ID.match(value):
            raise ValueError(f"'{value}' is not a requirement ID like 'KIT-5-4'")
        return value

    @field_validator("articles")
    @classmethod
    def _articles(cls, values: list[str]) -> list[str]:
        return [_check_article_ref(v) for v in values]


# --- the pack -------------------------------------------------------------------------------


class Pack(Strict):
    pack: str
    municipality: str
    title: str
    number: str
    enacted: dt.date
    amended: list[str] = []
    source: str | None = None
    prefix: str = Field(pattern=r"^[A-Z]{3}$")
    notes: list[str] = []
    articles: list[Article] = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    chains: list[Chain] = []
    parameters: Parameters = Parameters()
    forms: list[Form] = []
    tables: list[Table] = []
    requirements: list[Requirement] = []
    # Domain sections (issue 9 item 4): ``sections: {equipment: {…}}``, each validated by the pydantic
    # model its domain declares (``Domain.pack_section``), so a new domain edits no part of this schema.
    sections: dict[str, Any] = {}

    @field_validator("sections")
    @classmethod
    def _sections(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not apps.ready:  # a bare schema import (no installed domains to ask): left as written
            return value
        models = section_models()
        unknown = sorted(set(value) - set(models))
        if unknown:
            known = ", ".join(sorted(models)) or "none"
            raise ValueError(
                f"no installed domain declares the section(s) {', '.join(unknown)} (known: {known})"
            )
        return {name: models[name].model_validate(raw) for name, raw in value.items()}

    @field_validator("pack")
    @classmethod
    def _pack(cls, value: str) -> str:
        if not CODE.match(value):
            raise ValueError(f"pack name '{value}' must be lower-case ascii")
        return value

    @model_validator(mode="after")
    def _references_resolve(self) -> Pack:
        """Every role, form, article and requirement a pack names must exist in it."""
        problems: list[str] = []
        role_codes = [r.code for r in self.roles]
        roles = set(role_codes)
        articles = {a.number for a in self.articles}
        requirement_ids = [r.id for r in self.requirements]
        requirements = set(requirement_ids)
        forms = {f.id for f in self.forms}

        for duplicate in {c for c in role_codes if role_codes.count(c) > 1}:
            problems.append(f"roles: code '{duplicate}' appears more than once")
        for duplicate in {c for c in requirement_ids if requirement_ids.count(c) > 1}:
            problems.append(f"requirements: '{duplicate}' appears more than once")
        kinds = [c.kind for c in self.chains]
        for duplicate in {k for k in kinds if kinds.count(k) > 1}:
            problems.append(f"chains: kind '{duplicate}' appears more than once")

        def article_exists(ref: str, where: str) -> None:
            head = ref.split("-")[0]
            if head not in articles and not head.startswith(("別表", "附則")):
                problems.append(f"{where}: article '{ref}' is not in the pack's articles")

        def requirement_exists(req: str, where: str) -> None:
            if req not in requirements:
                problems.append(f"{where}: requirement '{req}' is not in the pack's requirements")
            elif not req.startswith(self.prefix + "-"):
                problems.append(f"{where}: requirement '{req}' does not start with '{self.prefix}-'")

        for i, role in enumerate(self.roles):
            where = f"roles[{i}] ({role.code})"
            for ref in role.articles:
                article_exists(ref, where)
            for req in role.requirements:
                requirement_exists(req, where)
            for other, field in ((role.deputy, "deputy"), (role.appointed_by, "appointed_by")):
                if other is not None and other not in roles:
                    problems.append(f"{where}.{field}: role '{other}' is not defined")
        for i, chain in enumerate(self.chains):
            where = f"chains[{i}] ({chain.kind})"
            for ref in chain.articles:
                article_exists(ref, where)
            for req in chain.requirements:
                requirement_exists(req, where)
            if chain.form is not None and chain.form not in forms:
                problems.append(f"{where}.form: form '{chain.form}' is not defined")
            for code in [*chain.filed_by, *chain.notify_on_completion]:
                if code not in roles:
                    problems.append(f"{where}: role '{code}' is not defined")
            for j, step in enumerate(chain.steps):
                if step.role not in roles:
                    problems.append(f"{where}.steps[{j}].role: role '{step.role}' is not defined")
                article_exists(step.article, f"{where}.steps[{j}]")
            if chain.lead_time is not None:
                article_exists(chain.lead_time.article, f"{where}.lead_time")
                for req in chain.lead_time.requirements:
                    requirement_exists(req, f"{where}.lead_time")
        for i, requirement in enumerate(self.requirements):
            for ref in requirement.articles:
                article_exists(ref, f"requirements[{i}] ({requirement.id})")
        for name, retention in self.parameters.retention.items():
            for req in retention.requirements:
                requirement_exists(req, f"parameters.retention.{name}")
        for req in [*self.parameters.password.requirements, *self.parameters.calendar.requirements]:
            requirement_exists(req, "parameters")
        monitoring = self.parameters.monitoring
        for name in type(monitoring).model_fields:
            check = getattr(monitoring, name)
            if isinstance(check, MonitoringRule):
                for ref in check.articles:
                    article_exists(ref, f"parameters.monitoring.{name}")
                for req in check.requirements:
                    requirement_exists(req, f"parameters.monitoring.{name}")
        if self.parameters.review:
            for j, reviewer in enumerate(self.parameters.review.reviewers):
                where = f"parameters.review.reviewers[{j}]"
                if reviewer.role not in roles:
                    problems.append(f"{where}.role: role '{reviewer.role}' is not defined")
                for ref in filter(None, (reviewer.article, reviewer.correct_article)):
                    article_exists(ref, where)
                requirement_exists(reviewer.requirement, where)
        operators = monitoring.designated_operators
        terminal_kinds = {d.kind for d in self.parameters.designations if d.per_terminal}
        if operators is not None and operators.designation not in terminal_kinds:
            problems.append(
                "parameters.monitoring.designated_operators.designation: "
                f"'{operators.designation}' is not a designation with per_terminal"
            )
        for j, designation in enumerate(self.parameters.designations):
            if designation.report_form and designation.report_form not in forms:
                problems.append(
                    f"parameters.designations[{j}].report_form: form '{designation.report_form}' is not defined"
                )
        credential_rules = [
            ("parameters.managed_passwords", self.parameters.managed_passwords),
            ("parameters.operator_ids", self.parameters.operator_ids),
            ("parameters.viewing_ids", self.parameters.viewing_ids),
            *[(f"parameters.designations[{j}]", d) for j, d in enumerate(self.parameters.designations)],
        ]
        for where, spec in credential_rules:
            if spec is None:
                continue
            for ref in filter(None, (spec.article, getattr(spec, "maintenance_article", None))):
                article_exists(ref, where)
            for req in spec.requirements:
                requirement_exists(req, where)
            for field_name in ("issued_by", "notify", "lent_by", "designated_by"):
                for code in getattr(spec, field_name, []):
                    if code not in roles:
                        problems.append(f"{where}.{field_name}: role '{code}' is not defined")
            for field_name in ("notify_via", "filed_for_by", "report_to"):
                code = getattr(spec, field_name, None)
                if code is not None and code not in roles:
                    problems.append(f"{where}.{field_name}: role '{code}' is not defined")
        if self.parameters.operating_hours:
            for req in self.parameters.operating_hours.requirements:
                requirement_exists(req, "parameters.operating_hours")
        fallback = self.parameters.access.administrator_role
        if fallback is not None and fallback not in roles:
            problems.append(
                f"parameters.access.administrator_role: role '{fallback}' is not in the pack's roles"
            )
        scope = self.parameters.access.organisation_scope
        if scope is not None:
            for code in scope.roles:
                if code not in roles:
                    problems.append(
                        f"parameters.access.organisation_scope: role '{code}' is not in the pack's roles"
                    )
            article_exists(scope.article, "parameters.access.organisation_scope")
            if scope.requirement:
                requirement_exists(scope.requirement, "parameters.access.organisation_scope")
        for i, table in enumerate(self.tables):
            for req in table.requirements:
                requirement_exists(req, f"tables[{i}] ({table.id})")
        # Domain sections: every field typed as a reference (base.ArticleRef, RoleRef …) must resolve.
        for where, kind, ref in section_references(self.sections, "sections"):
            if kind == "article":
                article_exists(ref, where)
            elif kind == "requirement":
                requirement_exists(ref, where)
            elif kind == "role" and ref not in roles:
                problems.append(f"{where}: role '{ref}' is not defined")
            elif kind == "form" and ref not in forms:
                problems.append(f"{where}: form '{ref}' is not defined")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # --- look-ups used by the engine ---

    def missing_retention_classes(self) -> list[str]:
        """The engine's retention classes (every installed domain's) the pack gives no period for:
        records of those would never get a purge date, so ``mamori regulations validate`` fails."""
        return sorted(code for code in retention_classes() if self.retention_class_for(code) is None)

    def section(self, name: str) -> Any:
        """The pack's section of a domain (its ``pack_section`` model), or None when the pack has none."""
        return self.sections.get(name)

    def retention_class_for(self, code: str) -> str | None:
        """The pack's retention class that gives the period of the engine's class ``code``: the class
        keyed by that code, or the one that says it ``serves`` it; None when the pack has neither."""
        retention = self.parameters.retention
        if code in retention:
            return code
        return next((name for name, rule in retention.items() if code in rule.serves), None)

    def has(self, name: str) -> bool:
        """Whether the pack has a request kind (``access.privilege``), a domain section (``equipment``)
        or a part of its parameters (``parameters.review``): what a menu entry ``needs``."""
        if any(chain.kind == name for chain in self.chains):
            return True
        target: object = self
        for part in name.split("."):
            target = target.get(part) if isinstance(target, dict) else getattr(target, part, None)
            if target is None:
                return False
        return bool(target) if isinstance(target, list | dict) else True

    def role(self, code: str) -> Role:
        for role in self.roles:
            if role.code == code:
                return role
        raise KeyError(f"pack '{self.pack}' has no role '{code}'")

    def chain(self, kind: str) -> Chain:
        for chain in self.chains:
            if chain.kind == kind:
                return chain
        raise KeyError(f"pack '{self.pack}' has no approval chain for '{kind}'")

    def article(self, number: str) -> Article:
        head = number.split("-")[0]
        for article in self.articles:
            if article.number == head:
                return article
        raise KeyError(f"pack '{self.pack}' has no article '{number}'")

    def requirement(self, requirement_id: str) -> Requirement:
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(f"pack '{self.pack}' has no requirement '{requirement_id}'")

    def cite(self, ref: str) -> str:
        """「第5条第2項」 for "5-2": how a decision or finding names its article."""
        parts = ref.split("-")
        head = parts[0]
        text = head if head.startswith(("別表", "附則")) else f"第{head}条"
        if len(parts) > 1:
            text += f"第{parts[1]}項"
        if len(parts) > 2:
            text += f"第{parts[2]}号"
        return text
