"""What a screen says of the active pack: its request kinds, their titles and form names, and its
articles as the pack cites them (issue 9 item 6: a regulation is data).  A template never writes a
city's article, form or role; it asks the pack the view passes (``pack``) through these filters.

core is the bottom layer, so these filters take the pack as it comes and import nothing from
regulations: they use only the pack's own look-ups (``chains``, ``forms``, ``cite``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from mamori.regulations.schema import Chain, Pack

register = template.Library()


def _chain(pack: Pack | None, kind: str) -> Chain | None:
    if pack is None:
        return None
    return next((chain for chain in pack.chains if chain.kind == kind), None)


@register.filter
def declares(pack: Pack | None, kind: str) -> bool:
    """{% if pack|declares:"access.privilege" %}: offer a request only where the pack has its chain."""
    return _chain(pack, kind) is not None


@register.filter
def chain_title(pack: Pack | None, kind: str) -> str:
    """{{ pack|chain_title:"access.password" }} → the pack's title of that request (empty: none)."""
    chain = _chain(pack, kind)
    return chain.title if chain else ""


@register.filter
def form_title(pack: Pack | None, kind: str) -> str:
    """{{ pack|form_title:"access.privilege" }} → the title of the pack's form for that request, or the
    chain's title where the pack gives it no form; empty where the pack has no such request."""
    chain = _chain(pack, kind)
    if chain is None or pack is None:
        return ""
    form = next((f for f in pack.forms if f.id == chain.form), None) if chain.form else None
    return form.title if form else chain.title


@register.filter
def shares_form(pack: Pack | None, kinds: str) -> bool:
    """{% if pack|shares_form:"access.privilege,access.terminal_privilege" %}: both requests are filed
    on one and the same form of the pack, so one screen may file either."""
    chains = [_chain(pack, kind.strip()) for kind in kinds.split(",")]
    forms = {chain.form for chain in chains if chain is not None}
    return len(chains) > 1 and None not in chains and len(forms) == 1 and None not in forms


@register.filter
def cite(pack: Pack | None, ref: str | None) -> str:
    """{{ pack|cite:rule.article }} → 「第5条第2項」, as the pack cites its article."""
    if pack is None or not ref:
        return ""
    return pack.cite(ref)
