"""規程: the active pack's articles, and for each requirement what implements it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from mamori.regulations.registry import everything_implementing
from mamori.regulations.text import article_text, requirements_of_article

from .common import current_pack, screen

GROUPS = (("pack", "規程パック"), ("code", "実装"), ("test", "試験"))


@screen
def regulations(request):
    pack = current_pack()
    chapters: list[dict] = []
    for article in pack.articles:
        if not chapters or chapters[-1]["chapter"] != article.chapter:
            chapters.append({"chapter": article.chapter, "articles": []})
        chapters[-1]["articles"].append(
            {
                "article": article,
                "requirements": [r.id for r in requirements_of_article(pack, article.number)],
            }
        )
    return render(request, "web/regulations.html", {"nav": "regulations", "pack": pack, "chapters": chapters})


@screen
def article(request, number: str):
    pack = current_pack()
    try:
        found = pack.article(number)
    except KeyError:
        raise Http404(f"第{number}条はこの規程にありません") from None
    numbers = [a.number for a in pack.articles]
    index = numbers.index(found.number)
    requirements = []
    for requirement in requirements_of_article(pack, found.number):
        implementations = everything_implementing(pack, requirement.id)
        groups = [
            {"kind": kind, "label": label, "items": [i for i in implementations if i.kind == kind]}
            for kind, label in GROUPS
        ]
        requirements.append(
            {
                "requirement": requirement,
                "articles": "・".join(pack.cite(ref) for ref in requirement.articles),
                "groups": groups,
                "implemented": bool(implementations),
            }
        )
    return render(
        request,
        "web/article.html",
        {
            "nav": "regulations",
            "pack": pack,
            "article": found,
            "heading": pack.cite(found.number),
            "lines": article_text(found).splitlines(),
            "requirements": requirements,
            "previous": numbers[index - 1] if index > 0 else None,
            "next": numbers[index + 1] if index + 1 < len(numbers) else None,
        },
    )
