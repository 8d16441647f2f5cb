"""The alert pages: subscribe (GET shows the form, POST starts a subscription), confirm and
unsubscribe by signed links.  No account: the link in the mail is the proof of the address.

Following a link changes nothing by itself (mail scanners open links): the page it opens has
one button.  The unsubscribe address also takes the one-click POST mail programs send
(RFC 8058), which carries no CSRF token; the signed link is its credential.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config.ratelimit import rate_limited
from search.request import FACETS, BadSearchRequest, SearchUnavailable

from . import services
from .forms import SubscribeForm
from .models import Frequency


def _criteria_inputs(params: QueryDict) -> list[tuple[str, str]]:
    """The followed search's parameters but the query words, carried as hidden inputs."""
    return [
        (name, value)
        for name in (*FACETS, "from", "to")
        for value in params.getlist(name)
        if str(value).strip()
    ]


def _form_page(request, *, form, params, status=200, error=""):
    """The form, with what it follows in words; a search that cannot be followed is a 400
    with the search page's own message (a bare form, on a first visit, is not)."""
    label = ""
    if not error:
        try:
            _query, search = services.criteria_of(params)
            label = services.describe(search)
        except BadSearchRequest as exc:
            error, status = str(exc), 400
        except services.NoCriteria as exc:
            if request.method == "POST":
                error, status = str(exc), 400
    return render(request, "alerts/subscribe.html", {
        "form": form,
        "q": params.get("q", ""),
        "hidden": _criteria_inputs(params),
        "label": label,
        "error": error,
        "chosen_frequency": (form.data.get("frequency") if form.is_bound else "")
        or Frequency.DAILY,
    }, status=status)


# No CSRF token is asked for: a subscription acts for no signed-in user (a forged form can do
# nothing a program posting directly could not), it takes effect only once the link mailed to
# the address is followed, and the rate limit bounds the mail it can cause.  So another site's
# form, or a program, may POST /alerts/ with email and q (or speaker, country, event).
@csrf_exempt
@rate_limited("alerts")
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, form=SubscribeForm(), params=request.GET)
    params = request.POST
    form = SubscribeForm(params)
    if not form.is_valid():
        return _form_page(request, form=form, params=params, status=400)
    try:
        services.subscribe(
            email=form.cleaned_data["email"], params=params,
            frequency=form.cleaned_data["frequency"],
            base_url=request.build_absolute_uri("/"),
        )
    except (BadSearchRequest, services.NoCriteria) as exc:
        return _form_page(request, form=form, params=params, status=400, error=str(exc))
    except SearchUnavailable:
        return render(request, "search/unavailable.html", status=503)
    return redirect(reverse("alerts:check-mail"))


def check_mail(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/check_mail.html")


def _bad_link(request, message: str) -> HttpResponse:
    return render(request, "alerts/link_problem.html", {"message": message}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = services.subscription_to_confirm(token)
    except services.ExpiredToken:
        return _bad_link(request, _("This confirmation link has expired. Subscribe again from "
                                    "the search page to get a new one."))
    except services.BadToken:
        return _bad_link(request, _("This confirmation link is not valid. Copy the whole "
                                    "address from the mail, or subscribe again."))
    if subscription is None:
        return _bad_link(request, _("This subscription no longer exists. Subscribe again "
                                    "to start it anew."))
    frequency = request.GET.get("frequency", "")
    if frequency not in Frequency.values:
        frequency = ""
    if request.method == "POST":
        subscription = services.confirm(subscription, frequency=frequency or None)
        return render(request, "alerts/confirmed.html", {"subscription": subscription})
    return render(request, "alerts/confirm.html", {
        "subscription": subscription,
        "frequency": Frequency(frequency or subscription.frequency).label,
    })


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = services.subscription_to_end(token)
    except services.BadToken:
        return _bad_link(request, _("This unsubscribe link is not valid. Copy the whole "
                                    "address from the mail."))
    if request.method == "POST":
        if subscription is not None:
            services.unsubscribe(subscription)
        return render(request, "alerts/unsubscribed.html")
    if subscription is None:
        return render(request, "alerts/unsubscribed.html", {"already": True})
    return render(request, "alerts/unsubscribe.html", {"subscription": subscription})
