"""Rendering article text and finding the requirements an article carries."""

from __future__ import annotations

from .schema import Article, Pack, Requirement

KANJI_DIGITS = "〇一二三四五六七八九"


def article_text(article: Article) -> str:
    """The article as it reads in the 例規集: 第5条 (caption), paragraphs numbered from 2."""
    lines = []
    if article.caption:
        lines.append(f"({article.caption})")
    for paragraph in article.paragraphs:
        if paragraph.missing:
            body = f"(第{paragraph.number}項は公表されている条文に欠けています)"
            if paragraph.note:
                body += f" {paragraph.note}"
        else:
            body = paragraph.text
        head = f"第{article.number}条 " if paragraph.number == 1 else f"{paragraph.number} "
        lines.append(head + body)
        for item in paragraph.items:
            text = "(公表されている条文に欠けています)" if item.missing else item.text
            lines.append(f"({item.number}) {text}")
    return "\n".join(lines)


def _covers(ref: str, article: str) -> bool:
    """Does a requirement's article reference ``ref`` fall under ``article`` ("5" or "5-2")?"""
    return ref == article or ref.startswith(article + "-") or article.startswith(ref + "-")


def requirements_of_article(pack: Pack, article: str) -> list[Requirement]:
    return [r for r in pack.requirements if any(_covers(ref, article) for ref in r.articles)]
