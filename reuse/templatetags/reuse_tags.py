"""The statement page's agreed language: ``{% reused_passages statement %}`` (the section that
lists each passage, where it was first used and every reuse) and ``{% reused_regions
statement as regions %}`` (the same passages as body ranges, for marking them in the text)."""

from django import template

from reuse.selectors import passages_for

register = template.Library()


def _passages(statement):
    # One look-up for both tags of a page.
    cached = getattr(statement, "_reused_passages", None)
    if cached is None:
        cached = passages_for(statement)
        statement._reused_passages = cached
    return cached


@register.inclusion_tag("reuse/passages.html")
def reused_passages(statement) -> dict:
    return {"statement": statement, "passages": _passages(statement)}


@register.simple_tag
def reused_regions(statement) -> list[tuple[int, int, int]]:
    """``(start, end, number)`` per passage, numbered as the section lists them."""
    return [(p.start, p.end, n) for n, p in enumerate(_passages(statement), start=1)]
