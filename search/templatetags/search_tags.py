from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def year_chart(years, base_url=""):
    """A small server-side SVG bar chart of statements per year; each bar links to its year."""
    if not years:
        return ""
    width, height, gap = 12, 60, 2
    peak = max(count for _y, count, _sel, _url in years) or 1
    bars = []
    for i, (year, count, selected, url) in enumerate(years):
        h = max(1, round(height * count / peak)) if count else 0
        x = i * (width + gap)
        bars.append(
            (
                base_url + url,
                f"{year}: {count} statement{'s' if count != 1 else ''}",
                x,
                height - h,
                width,
                h,
                "bar selected" if selected else "bar",
            )
        )
    total_width = len(years) * (width + gap)
    body = format_html_join(
        "",
        '<a href="{}" aria-label="{}"><title>{}</title>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="{}"></rect></a>',
        ((u, label, label, x, y, w, h, cls) for u, label, x, y, w, h, cls in bars),
    )
    first, last = years[0][0], years[-1][0]
    return format_html(
        '<svg class="year-chart" role="img" viewBox="0 0 {} {}" width="{}" height="{}" '
        'aria-label="Statements per year, {} to {}">{}</svg>'
        '<p class="year-range"><span>{}</span><span>{}</span></p>',
        total_width,
        height + 2,
        total_width,
        height + 2,
        first,
        last,
        body,
        first,
        last,
    )


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
