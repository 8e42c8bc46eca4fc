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
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ARTICLE_REF = re.compile(r"^(附則|別表第?\d+|\d+(の\d+)?)(-\d+){0,2}$")
REQUIREMENT_ID = re.compile(r"^[A-Z]{3}-[0-9A-Z]+(-\d+)?$")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_article_ref(value: str) -> str:
    if not ARTICLE_REF.match(value):
        raise ValueError(f"'{value}' is not an article reference like '5', '5-2' or '5-2-3'")
    return value


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


# --- parameters -----------------------------------------------------------------------------


class PasswordRules(Strict):
    min_length: int = Field(default=10, ge=8)
    max_age_days: int | None = Field(default=None, ge=1)
    history: int = Field(default=5, ge=0)
    lockout_threshold: int = Field(default=5, ge=1)
    temporary_change_days: int = Field(default=7, ge=1)
    articles: list[str] = []
    requirements: list[str] = []


class Closure(Strict):
    """A municipal closure every year, e.g. 年末年始 12-29 → 01-03 (wrapping over new year)."""

    name: str
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _month_day(cls, value: str) -> str:
        if not MONTH_DAY.match(value):
            raise ValueError(f"'{value}' must be MM-DD")
        return value


class CalendarRules(Strict):
    closures: list[Closure] = [Closure(name="年末年始", start="12-29", end="01-03")]
    articles: list[str] = []
    requirements: list[str] = []


class RetentionClass(Strict):
    """How long one class of record is kept.

    ``base: day`` counts from the day of the event; ``base: next_fiscal_year`` counts from
    4月1日 of the 年度 after the event (MAI-25(2)(3)).  ``years: null`` keeps it for good."""

    label: str
    years: int | None = Field(default=None, ge=1)
    base: Literal["day", "next_fiscal_year"] = "day"
    article: str | None = None
    requirements: list[str] = []


class Hours(Strict):
    start: str
    end: str
    # "working": on working days only (the municipal calendar); "every_day": a system that runs on
    # closed days too (自動交付機 …).
    days: Literal["working", "every_day"] = "working"

    @field_validator("start", "end")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not HH_MM.match(value):
            raise ValueError(f"'{value}' must be HH:MM")
        return value


class OperatingHours(Strict):
    """Terminal operating hours (YAN-13-1).  ``systems`` have hours of their own."""

    weekdays: Hours
    # Keyed by the system's code or name (a name matches a system whose name contains it).
    systems: dict[str, Hours] = {}
    # Systems whose hours the regulation leaves to a separate rule (別に定める) without giving
    # them: mamori applies ``weekdays`` to them and says so, until the municipality sets them.
    defined_elsewhere: list[str] = []
    # Minutes before the start and after the end not treated as off-hours use (始業前の立上げ・
    # 終業後の片付け): the regulation says the hours apply 「原則として」.
    grace_minutes: int = Field(default=0, ge=0, le=120)
    articles: list[str] = []
    requirements: list[str] = []
    note: str | None = None


class MonitoringRule(Strict):
    """One check mamori runs over the operation events, with the article and requirement it cites."""

    articles: list[str] = Field(min_length=1)
    requirements: list[str] = []
    note: str | None = None


class OperatorDesignation(MonitoringRule):
    """Terminals are operated only by the operators designated for them (YAN-12-3, FUK-18-2):
    ``designated_by`` (a role, resolved in the terminal's unit) designates them and, where the pack
    says so, reports the list to ``reported_to`` on ``report_form`` (様式第1号)."""

    designated_by: str
    reported_to: str | None = None
    report_form: str | None = None
    # FUK-18-2 「端末機を設置した課の職員を指定して」: operators are staff of the terminal's section.
    same_unit: bool = False


class SearchLimits(MonitoringRule):
    """Searches/extractions that look beyond a business need (MAI-21-4): more rows than
    ``max_rows`` in one search or extraction, or more distinct subjects than
    ``max_subjects_per_day`` by one person in one day."""

    max_rows: int = Field(default=100, ge=1)
    max_subjects_per_day: int = Field(default=50, ge=1)


class SubjectScope(Strict):
    """Subjects (宛名番号 …) whose identifier starts with ``prefix`` belong to the duties of
    ``units`` (unit codes or names); anyone else searching them is a finding (MAI-21-4)."""

    prefix: str = Field(min_length=1)
    units: list[str] = Field(min_length=1)
    label: str = ""


class Monitoring(Strict):
    """Which findings the operation events are checked for; a rule the pack does not name is not run."""

    designated_operators: OperatorDesignation | None = None  # terminal used only by its designated operators
    terminal_purpose: MonitoringRule | None = None  # a terminal reaches only the systems of its purpose
    entitlement_required: MonitoringRule | None = None  # a system used only with an active entitlement
    identity_information: MonitoringRule | None = None  # 本人確認情報: every access attributable, entitled
    shared_ids: MonitoringRule | None = None  # one user ID at two terminals at once
    search_limits: SearchLimits | None = None
    subject_scopes: list[SubjectScope] = []
    subject_scope_rule: MonitoringRule | None = None
    training_use: MonitoringRule | None = None  # use marked as 研修, reported as such


class Reviewer(Strict):
    """Who confirms one kind of line of the management file in a review campaign (定期確認), and the
    article that asks it: KIT-5-10 each system's administrator, KIT-6 the 二要素認証システム管理者.

    A line goes to the first entry whose ``system_categories`` (System.category) or
    ``system_roles`` (the system's administrator role, where the register names one) match its
    system; an entry with neither matches every system."""

    role: str
    # Where a scoped role is resolved: the unit that owns the line's system, or the unit of the
    # person who holds the line.
    resolve_in: Literal["system_owner", "person_unit"] = "system_owner"
    article: str
    # The article that lets the reviewer correct the file (第5条第11項, 第6条第6項).
    correct_article: str | None = None
    requirement: str
    system_categories: list[str] = []
    system_roles: list[str] = []
    # True: a system whose register entry names its administrator role (COKAS-R/ADⅡ管理者,
    # 個別システム管理者 …) is reviewed by that role; ``role`` serves the systems that name none.
    use_system_administrator: bool = False

    @field_validator("article", "correct_article")
    @classmethod
    def _article(cls, value: str | None) -> str | None:
        return None if value is None else _check_article_ref(value)


class ReviewRules(Strict):
    """Periodic review of the management file (管理ファイルの正当性の確認).  ``interval_months``:
    how often each system must be reviewed (None: the pack sets no cadence); ``deadline_days``:
    the default time a campaign gives its reviewers."""

    interval_months: int | None = Field(default=None, ge=1)
    deadline_days: int = Field(default=30, ge=1)
    reviewers: list[Reviewer] = Field(min_length=1)
    note: str | None = None


class Cited(Strict):
    """Where one rule of the management file comes from: its article and requirement ID."""

    article: str
    requirement: str | None = None

    @field_validator("article")
    @classmethod
    def _article(cls, value: str) -> str:
        return _check_article_ref(value)


class SystemFlag(Strict):
    """A pack-defined mark on a business system (COKAS-R/ADⅡ, 中間サーバー, 二要素認証 …)."""

    code: str
    label: str


class UserRegistrationRule(Cited):
    """KIT-5-3: staff of ``employments`` need the user-information registration (``name``) recorded
    before any privilege may be granted to them."""

    name: str = "利用者情報登録"
    employments: list[str] = ["fixed_term"]


class DirectAssignmentRule(Cited):
    """KIT-5-5: holders of ``roles`` may assign privileges without a request to staff of the
    organisations in table ``table`` (not to ``excluded_employments``), and revoke them when the
    person transfers or retires (``revoke_on_transfer``)."""

    table: str
    roles: list[str] = Field(min_length=1)
    excluded_employments: list[str] = ["fixed_term"]
    revoke_on_transfer: bool = True


class BiometricRule(Cited):
    """KIT-6: privileges granted through ``kinds`` are complete only once the person's biometric
    registration is recorded."""

    kinds: list[str] = ["access.terminal_privilege"]


class AccessRules(Strict):
    """How the pack runs the management file; a rule left out is not applied."""

    system_flags: list[SystemFlag] = []
    # Roles told of a change made without a request (KIT-5-6, KIT-5-8), in the person's unit.
    notify: list[str] = []
    user_registration: UserRegistrationRule | None = None
    direct_assignment: DirectAssignmentRule | None = None
    deletion: Cited | None = None
    maintenance: Cited | None = None
    biometric: BiometricRule | None = None
    term_expiry: Cited | None = None


class ManagedPasswordRules(Strict):
    """Passwords and PINs of the managed systems (not mamori's own log-in): who sets them, who is
    told, and how soon the user must change a temporary one (KIT-8-2〜4, KIT-8-8, YAN-12-4, FUK-18-2).
    Roles are resolved in the system's owner unit (a terminal PIN: in the user's unit)."""

    secret: Literal["password", "pin"] = "password"
    length: int = Field(default=12, ge=4, le=64)
    # Days the user has to change a temporary password ("速やかに"); None: nobody has to change it
    # (YAN-12-4: the 情報セキュリティ責任者 sets the password, the operator does not choose one).
    change_days: int | None = Field(default=7, ge=1)
    # Roles that set passwords; empty: only mamori's administrators.
    issued_by: list[str] = []
    # Roles told of the issue (KIT-8-3: the 情報セキュリティ責任者), in the user's unit.
    notify: list[str] = []
    # The role through which the user is told (YAN-12-4: through the 端末責任者), in the user's unit.
    notify_via: str | None = None
    # KIT-8-1 ただし書: for these employments only this role may file the password request.
    filed_for_by: str | None = None
    filed_for_employments: list[str] = ["fixed_term"]
    article: str | None = None
    # KIT-8-8: passwords of maintenance staff (委託事業者職員), set and rotated by the administrators.
    maintenance_article: str | None = None
    requirements: list[str] = []


class OperatorIdRules(Strict):
    """MAI-23: 照合ID per operator with 操作者IDs that carry privileges, issued by ``issued_by``."""

    issued_by: list[str] = Field(min_length=1)
    article: str
    requirements: list[str] = []


class ViewingIdRules(Strict):
    """KIT-11: viewing IDs lent by ``lent_by`` (resolved in the terminal's unit); a loan not returned
    by the end of the day of lending is a finding."""

    lent_by: list[str] = Field(min_length=1)
    article: str
    requirements: list[str] = []


class DesignationRule(Strict):
    """One kind of designation (指定) the pack requires: who designates, whom it is reported to, and
    the systems a grant needs it for (``applies_to``: all, personal_information,
    specific_personal_information, identity_information or category:<System.category>)."""

    kind: str
    label: str
    article: str
    requirements: list[str] = []
    designated_by: list[str] = Field(min_length=1)
    report_to: str | None = None
    # True: the designation names one system (MEG-13-1: each system's list of staff).
    per_system: bool = False
    applies_to: list[str] = []
    # False: a grant to someone not designated is not refused, only reported as a finding (where the
    # pack's own grant request is itself the designation, as in 目黒区's access.privilege).
    refuse_grants: bool = True
    ledger: str | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if not CODE.match(value):
            raise ValueError(f"designation kind '{value}' must be lower-case ascii (a-z, 0-9, _)")
        return value


class Parameters(Strict):
    managed_passwords: ManagedPasswordRules = ManagedPasswordRules()
    operator_ids: OperatorIdRules | None = None
    viewing_ids: ViewingIdRules | None = None
    designations: list[DesignationRule] = []
    password: PasswordRules = PasswordRules()
    calendar: CalendarRules = CalendarRules()
    retention: dict[str, RetentionClass] = {}
    operating_hours: OperatingHours | None = None
    monitoring: Monitoring = Monitoring()
    access: AccessRules = AccessRules()
    review: ReviewRules | None = None


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
        designation = monitoring.designated_operators
        if designation is not None:
            for code in filter(None, (designation.designated_by, designation.reported_to)):
                if code not in roles:
                    problems.append(
                        f"parameters.monitoring.designated_operators: role '{code}' is not defined"
                    )
            if designation.report_form and designation.report_form not in forms:
                problems.append(
                    f"parameters.monitoring.designated_operators: form '{designation.report_form}' is not defined"
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
        for i, table in enumerate(self.tables):
            for req in table.requirements:
                requirement_exists(req, f"tables[{i}] ({table.id})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # --- look-ups used by the engine ---

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
