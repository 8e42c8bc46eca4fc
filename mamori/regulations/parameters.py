"""A pack's rule parameters (``parameters:``): passwords, calendar, retention, operating hours, monitoring of
operation events, access rights, reviews, managed passwords, IDs and designations.  Each names the article it
comes from, so that a finding or a refusal can cite it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import CODE, HH_MM, MONTH_DAY, Strict, _check_article_ref

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
    # The engine's classes (mamori.core.plugins.retention_classes) this class of the pack gives the
    # period for, when the pack names it in its own words (舞鶴市第25条第1項第1号「操作履歴」 serves
    # the engine's ``operation_events``).  A class keyed by the engine's own code needs none.
    serves: list[str] = []


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
    """Terminals are operated only by the operators designated for them (YAN-12-3, FUK-18-2).  Who
    designates them, and how it is reported, is the designation kind ``designation`` of
    ``parameters.designations`` (one with ``per_terminal``): one concept of designation (issue 9)."""

    designation: str


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


class OrganisationScope(Cited):
    """KIT-4: holders of ``roles`` manage the system users of their own organisation (the unit they
    hold the role for, and every unit below it) and see them in one view; KIT-5-2: they file privilege
    requests for those users only.  A pack without it has no such scope."""

    roles: list[str] = Field(min_length=1)


class BiometricRule(Cited):
    """KIT-6: privileges granted through ``kinds`` are complete only once the person's biometric
    registration is recorded."""

    kinds: list[str] = ["access.terminal_privilege"]


class AccessRules(Strict):
    """How the pack runs the management file; a rule left out is not applied."""

    system_flags: list[SystemFlag] = []
    organisation_scope: OrganisationScope | None = None
    # The role that administers a system whose register entry names none (KIT-3: the システム管理者
    # of the owning section); None: such a system has no administrator until its entry names one.
    administrator_role: str | None = None
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
    # True: the designation names one terminal, designated by the role resolved in the terminal's
    # section (YAN-12-3 端末機操作員, FUK-18-2).
    per_terminal: bool = False
    # FUK-18-2 「端末機を設置した課の職員を指定して」: the designated are staff of that section.
    same_unit: bool = False
    # The pack form on which the designator reports the designations together (YAN-12-3 様式第1号);
    # without one, the holder of ``report_to`` is told of each designation at once (FUK-10).
    report_form: str | None = None
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

    @model_validator(mode="after")
    def _one_target(self) -> DesignationRule:
        if self.per_system and self.per_terminal:
            raise ValueError(f"designation '{self.kind}': per_system and per_terminal exclude each other")
        return self


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
