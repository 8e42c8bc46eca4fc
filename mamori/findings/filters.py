"""The findings list's filters (django-filter): rule, requirement ID, person, state, detected dates,
and the sort order.  Labels are Japanese; a rule is offered by its title, never its code."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from .models import Finding, FindingState
from .titles import RULE_TITLES

SORTS = (
    ("-detected_at", "検出日時（新しい順）"),
    ("detected_at", "検出日時（古い順）"),
    ("requirement", "要件ID"),
    ("rule", "規則"),
    ("state", "状態"),
    ("person__staff_number", "職員番号"),
)
ORDER = {
    "-detected_at": ("-detected_at", "-id"),
    "detected_at": ("detected_at", "id"),
    "requirement": ("requirement", "-detected_at", "-id"),
    "rule": ("rule", "-detected_at", "-id"),
    "state": ("state", "-detected_at", "-id"),
    "person__staff_number": ("person__staff_number", "-detected_at", "-id"),
}


class FindingFilter(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(
        label="規則", choices=sorted(RULE_TITLES.items(), key=lambda item: item[1]), empty_label="すべて"
    )
    requirement = django_filters.CharFilter(label="要件ID", method="by_requirement")
    person = django_filters.CharFilter(label="職員（氏名・職員番号）", method="by_person")
    state = django_filters.ChoiceFilter(label="状態", choices=FindingState.choices, empty_label="すべて")
    detected = django_filters.DateFromToRangeFilter(label="検出日", field_name="detected_at__date")
    sort = django_filters.ChoiceFilter(label="並び順", choices=SORTS, empty_label=None, method="by_sort")

    class Meta:
        model = Finding
        fields: list[str] = []

    def by_requirement(self, queryset: QuerySet[Finding], name: str, value: str) -> QuerySet[Finding]:
        # "KIT-8" finds KIT-8 and KIT-8-2, but not KIT-81.
        value = value.strip()
        return queryset.filter(Q(requirement__iexact=value) | Q(requirement__istartswith=f"{value}-"))

    def by_person(self, queryset: QuerySet[Finding], name: str, value: str) -> QuerySet[Finding]:
        value = value.strip()
        return queryset.filter(Q(person__staff_number=value) | Q(person__name__icontains=value))

    def by_sort(self, queryset: QuerySet[Finding], name: str, value: str) -> QuerySet[Finding]:
        return queryset.order_by(*ORDER.get(value, ORDER["-detected_at"]))
