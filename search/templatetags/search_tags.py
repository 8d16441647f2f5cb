from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.inclusion_tag("search/includes/year_chart.html")
def year_chart(years, base_url=""):
    """Statements per year: a table (year, count) that CSS draws as a bar chart.

    Screen readers read it as the table it is; each year with statements links to that year
    (a year with none is plain text, so nothing empty takes the focus).  The bars are SVG
    rectangles sized by attributes, which the Content-Security-Policy allows where an inline
    style would not be.
    """
    if not years:
        return {"bars": []}
    peak = max(count for _y, count, _sel, _url in years) or 1
    bars = [
        {
            "year": year,
            "count": count,
            "selected": selected,
            "url": base_url + url,
            # At least a sliver for any year with statements, so a small one still shows.
            "width": max(2, round(100 * count / peak)) if count else 0,
        }
        for year, count, selected, url in reversed(years)
    ]
    return {"bars": bars, "first": years[0][0], "last": years[-1][0], "peak": peak}


@register.simple_tag
def hidden_params(params, exclude=""):
    """Hidden inputs that carry the current parameters through a GET form (minus ``exclude``)."""
    skip = set(exclude.split()) | {"page"}
    items = [
        (key, value)
        for key in params
        if key not in skip
        for value in params.getlist(key)
        if value.strip()
    ]
    return format_html_join("", '<input type="hidden" name="{}" value="{}">', items[:200])


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


# Between the sections of an index document (title; speakers, roles and event; delegation and
# topics; summary and body): a control character no tokenizer reads as a word, so it changes
# no term or position, and an engine that weighs the sections (PostgreSQL's A-D) finds them.
SECTION_BREAK = "\x1e"


@register.simple_tag
def section_break():
    return SECTION_BREAK


LABEL_CHARS = 60


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` cut at a word before ``limit`` characters, with "…" (unchanged if short)."""
    text = str(text or "")
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    cut = cut if cut > limit // 2 else limit - 1
    return text[:cut].rstrip(" ,;:-–—(") + "…"


@register.simple_tag
def short_label(text, limit=LABEL_CHARS):
    """A label that may be long (an event's official name): shortened on the page, whole on
    hover (``title``) and for screen readers (which read the whole, not the shortened)."""
    from django.utils.html import format_html

    text = str(text or "")
    short = shorten(text, int(limit))
    if short == text:
        return text
    return format_html(
        '<span title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>', text, short, text,
    )
