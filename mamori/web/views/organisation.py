"""組織 and 役割: the unit tree with who sits where today, and who holds each of the pack's roles."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.shortcuts import render

from mamori.organisation.models import Assignment, Post, Unit, active_on
from mamori.organisation.roles import holders_of

from ..forms import OnDateForm
from .common import current_pack, parse_day, screen


@dataclass
class PostRow:
    post: Post
    holders: list[Assignment]


@dataclass
class UnitNode:
    unit: Unit
    posts: list[PostRow] = field(default_factory=list)
    staff: list[Assignment] = field(default_factory=list)
    children: list[UnitNode] = field(default_factory=list)


def _tree(day) -> list[UnitNode]:
    units = list(Unit.objects.filter(active_on(day)).order_by("code"))
    nodes = {unit.pk: UnitNode(unit) for unit in units}
    by_post: dict[int, list[Assignment]] = defaultdict(list)
    assignments = (
        Assignment.objects.on(day)
        .filter(unit__in=units)
        .select_related("person", "post")
        .order_by("person__staff_number")
    )
    for assignment in assignments:
        if assignment.post_id:
            by_post[assignment.post_id].append(assignment)
        else:
            nodes[assignment.unit_id].staff.append(assignment)
    for post in Post.objects.filter(unit__in=units).select_related("unit").order_by("code"):
        nodes[post.unit_id].posts.append(PostRow(post, by_post.get(post.pk, [])))
    roots = []
    for unit in units:
        parent = nodes.get(unit.parent_id)
        (parent.children if parent else roots).append(nodes[unit.pk])
    return roots


@screen
def organisation(request):
    day, problem = parse_day(request.GET.get("on"))
    return render(
        request,
        "web/organisation.html",
        {
            "nav": "organisation",
            "day": day,
            "problem": problem,
            "roots": _tree(day),
            "date_form": OnDateForm(initial={"on": day}),
        },
    )


@screen
def roles(request):
    pack = current_pack()
    day, problem = parse_day(request.GET.get("on"))
    rows = []
    for role in pack.roles:
        holdings = holders_of(role.code, on=day, pack=pack)
        rows.append(
            {
                "role": role,
                "articles": "・".join(pack.cite(ref) for ref in role.articles),
                "holdings": holdings,
                "deputy_name": pack.role(role.deputy).name if role.deputy else "",
                "appointed_by": pack.role(role.appointed_by).name if role.appointed_by else "",
            }
        )
    return render(
        request,
        "web/roles.html",
        {
            "nav": "organisation",
            "day": day,
            "problem": problem,
            "rows": rows,
            "date_form": OnDateForm(initial={"on": day}),
        },
    )
