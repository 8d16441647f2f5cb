"""``{% reused_passages statement %}``: the statement page's "Agreed language" section."""

from django import template

from reuse.selectors import passages_for

register = template.Library()


@register.inclusion_tag("reuse/passages.html")
def reused_passages(statement) -> dict:
    return {"statement": statement, "passages": passages_for(statement)}
