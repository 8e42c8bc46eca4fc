import datetime as dt

from django import template

from mamori.core import time

register = template.Library()


@register.filter(name="wareki")
def wareki_filter(value: dt.date | None) -> str:
    """{{ day|wareki }} → 令和8年11月22日"""
    if not value:
        return ""
    return time.wareki(value)


@register.filter(name="jst")
def jst(value: dt.datetime | None) -> str:
    """{{ moment|jst }} → 令和8年11月22日 09:30"""
    if not value:
        return ""
    moment = time.local(value)
    return f"{time.wareki(moment.date())} {moment:%H:%M}"
