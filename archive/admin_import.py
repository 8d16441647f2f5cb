"""Admin: import a press release from a ministry web page, in two steps.

Step 1: the editor pastes the page's text, uploads its .txt/.html, or gives its address (and
may give its publication date).  Step 2: a form prefilled with the importer's suggestions,
each with the sentence it came from and how sure the rule is; the editor corrects it and
saves a draft, which opens in the admin.  Duplicates (the same text, or nearly: an agency's
repost, another headline) are shown before saving, and saving one anyway needs a tick.
Nothing typed is lost on an error: both steps re-render with the editor's input.

Mounted by ``StatementAdmin.get_urls()`` as ``admin:archive_statement_import_page``.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .importers.fetch import FetchError, fetch_page
from .importers.layout import MAX_PAGE_CHARS
from .importers.page import ConfirmedSpeaker, PageTooLarge, save_page_draft, suggest_from_page
from .intake import country_named, duplicates_of
from .models import Country, Event, Kind, Language
from .services import storable_text

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ALLOWED_SUFFIXES = (".txt", ".html", ".htm")
SPEAKER_ROWS = 4


# Every suggestion is shown whole; "dir=auto" sets each field's direction from its text,
# so an Arabic title reads right to left.
_WIDE_TEXT = {"class": "vLargeTextField intake-wide", "dir": "auto"}


def _date_input() -> forms.DateInput:
    # A browser's date picker reads and sends ISO dates, whatever the site's locale.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PageSourceForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Page text"), required=False,
        widget=forms.Textarea(attrs={"rows": 14, **_WIDE_TEXT}),
        help_text=gettext_lazy("Paste the whole page: menus, buttons and footers are removed."),
    )
    upload = forms.FileField(
        label=gettext_lazy("…or upload the page"), required=False,
        help_text=gettext_lazy("A .txt or .html file, at most 5 MB."),
    )
    url = forms.URLField(
        label=gettext_lazy("…or give its address"), required=False, max_length=1000,
        assume_scheme="https", widget=forms.URLInput(attrs={"class": "vURLField intake-wide"}),
        help_text=gettext_lazy("The page is fetched now (http or https, at most 5 MB)."),
    )
    published_on = forms.DateField(
        label=gettext_lazy("Publication date"), required=False, widget=_date_input(),
        help_text=gettext_lazy('Resolves weekdays such as "Tuesday" in the text.'),
    )

    def clean_text(self):
        text = self.cleaned_data.get("text") or ""
        if len(text) > MAX_PAGE_CHARS:
            raise ValidationError(
                _("The pasted page is %(length)s characters long; the importer reads at most "
                  "%(limit)s. Paste only the article.")
                % {"length": f"{len(text):,}", "limit": f"{MAX_PAGE_CHARS:,}"})
        return text

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise ValidationError(_("Upload a .txt or .html file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        try:
            content = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None
        return upload.name, content

    def clean(self):
        data = super().clean()
        given = [bool((data.get("text") or "").strip()), bool(data.get("upload")),
                 bool(data.get("url"))]
        if not self.errors:
            if not any(given):
                raise ValidationError(_("Paste the page's text, upload its file or give its "
                                        "address."))
            if sum(given) > 1:
                raise ValidationError(_("Give the page one way only: pasted, uploaded or by "
                                        "address."))
        return data

    def content(self) -> tuple[str, bool | None, str]:
        """(text, is_html, source_url); fetches the address when one was given."""
        upload = self.cleaned_data.get("upload")
        if upload:
            name, content = upload
            return content, name.lower().endswith((".html", ".htm")), ""
        url = self.cleaned_data.get("url")
        if url:
            page = fetch_page(url)
            return page.text, page.is_html or None, page.url
        return self.cleaned_data["text"], None, ""


class StatementDraftForm(forms.Form):
    title = forms.CharField(
        max_length=500, label=gettext_lazy("Title"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField intake-wide",
                                     "dir": "auto"}))
    delivered_on = forms.DateField(label=gettext_lazy("Date delivered"), widget=_date_input())
    kind = forms.ChoiceField(choices=Kind.choices, label=gettext_lazy("Kind"))
    language = forms.ChoiceField(choices=Language.choices, label=gettext_lazy("Language"))
    country = forms.ModelChoiceField(Country.objects.all(), required=False,
                                     label=gettext_lazy("Delegation"))
    event = forms.ModelChoiceField(Event.objects.order_by("-start_date"), required=False,
                                   label=gettext_lazy("Existing event"))
    new_event_name = forms.CharField(
        max_length=400, required=False, label=gettext_lazy("…or a new event's name"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField intake-wide",
                                     "dir": "auto"}))
    new_event_city = forms.CharField(max_length=120, required=False,
                                     label=gettext_lazy("New event's city"),
                                     widget=forms.TextInput(attrs={"dir": "auto"}))
    new_event_country = forms.ModelChoiceField(Country.objects.all(), required=False,
                                               label=gettext_lazy("New event's country"))
    topics = forms.CharField(required=False, label=gettext_lazy("Topics"),
                             help_text=gettext_lazy("Comma-separated."))
    source_name = forms.CharField(max_length=300, required=False,
                                  label=gettext_lazy("Source"),
                                  widget=forms.TextInput(attrs={"class": "intake-wide",
                                                                "dir": "auto"}))
    source_url = forms.URLField(max_length=1000, required=False, assume_scheme="https",
                                label=gettext_lazy("Source address"),
                                widget=forms.URLInput(attrs={"class": "intake-wide"}))
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(
        attrs={"rows": 20, "class": "vLargeTextField intake-wide", "dir": "auto"}))
    original_text = forms.CharField(widget=forms.HiddenInput, required=False)
    evidence = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(SPEAKER_ROWS):
            self.fields[f"speaker_{index}_honorific"] = forms.CharField(
                max_length=40, required=False,
                label=_("Speaker %(number)d: honorific") % {"number": index + 1})
            self.fields[f"speaker_{index}_name"] = forms.CharField(
                max_length=200, required=False, label=_("name"),
                widget=forms.TextInput(attrs={"size": 40, "dir": "auto"}))
            self.fields[f"speaker_{index}_role"] = forms.CharField(
                max_length=400, required=False, label=_("role"),
                widget=forms.Textarea(attrs={"rows": 2, "cols": 60, "dir": "auto"}))

    def clean(self):
        data = super().clean()
        if data.get("event") and (data.get("new_event_name") or "").strip():
            self.add_error("new_event_name", _("Choose an existing event or name a new one."))
        for index in range(SPEAKER_ROWS):
            if (data.get(f"speaker_{index}_role") or data.get(f"speaker_{index}_honorific")) \
                    and not (data.get(f"speaker_{index}_name") or "").strip():
                self.add_error(f"speaker_{index}_name", _("A speaker needs a name."))
        return data

    def speakers(self) -> list[ConfirmedSpeaker]:
        return [
            ConfirmedSpeaker(
                name=self.cleaned_data[f"speaker_{i}_name"].strip(),
                honorific=self.cleaned_data[f"speaker_{i}_honorific"].strip(),
                role=" ".join(self.cleaned_data[f"speaker_{i}_role"].split()),
            )
            for i in range(SPEAKER_ROWS)
            if self.cleaned_data.get(f"speaker_{i}_name", "").strip()
        ]

    def evidence_map(self) -> dict:
        raw = self.data.get("evidence") if self.is_bound else self.initial.get("evidence")
        try:
            return json.loads(raw or "{}")
        except (TypeError, ValueError):
            return {}

    def speaker_rows(self):
        found = self.evidence_map().get("speakers") or []
        roles = self.evidence_map().get("roles") or []
        return [
            (self[f"speaker_{i}_honorific"], self[f"speaker_{i}_name"],
             self[f"speaker_{i}_role"], found[i] if i < len(found) else None,
             roles[i] if i < len(roles) else None)
            for i in range(SPEAKER_ROWS)
        ]

    def topic_names(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("topics", "").split(",") if t.strip()]


# Which suggestion's evidence each form field shows.
_EVIDENCE_FOR = {
    "title": "title", "delivered_on": "date", "country": "country", "source_name": "source",
    "new_event_name": "event", "new_event_city": "city", "body": "body",
}


def _initial(suggestion, content: str, published_on) -> dict:
    event = (Event.objects.filter(name__iexact=suggestion.event.name).first()
             if suggestion.event.name else None)
    evidence = suggestion.as_json()["evidence"]
    initial = {
        "title": suggestion.title,
        "delivered_on": suggestion.date or published_on,
        "kind": suggestion.kind,
        "language": suggestion.language if suggestion.language in Language.values else "en",
        "country": country_named(suggestion.country),
        "event": event,
        "new_event_name": "" if event else suggestion.event.name,
        "new_event_city": "" if event else suggestion.event.city,
        "new_event_country": None if event else country_named(suggestion.event.country),
        "topics": ", ".join(suggestion.topics),
        "source_name": suggestion.source,
        "source_url": suggestion.source_url,
        "body": suggestion.body,
        "original_text": storable_text(content),
        "evidence": json.dumps(evidence, ensure_ascii=False),
    }
    for index, speaker in enumerate(suggestion.speakers[:SPEAKER_ROWS]):
        initial[f"speaker_{index}_honorific"] = speaker.honorific
        initial[f"speaker_{index}_name"] = speaker.name
        initial[f"speaker_{index}_role"] = speaker.role
    return initial


def _fields_with_evidence(form, names):
    evidence = form.evidence_map()
    return [(form[name], evidence.get(_EVIDENCE_FOR.get(name, ""))) for name in names]


def _confirm_context(form) -> dict:
    return {
        "form": form,
        "statement_fields": _fields_with_evidence(
            form, ["title", "delivered_on", "kind", "language", "country"]),
        "event_fields": _fields_with_evidence(
            form, ["event", "new_event_name", "new_event_city", "new_event_country"]),
        "text_fields": _fields_with_evidence(
            form, ["topics", "source_name", "source_url", "body"]),
    }


def import_page(request, model_admin):
    """The two steps; ``model_admin`` is the StatementAdmin that mounts the view."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    context = {**model_admin.admin_site.each_context(request),
               "title": _("Import a press release"), "opts": model_admin.model._meta}
    step = request.POST.get("step") if request.method == "POST" else None

    if step == "confirm":
        form = StatementDraftForm(request.POST)
        found = None
        if form.is_valid():
            data = form.cleaned_data
            found = duplicates_of(body=data["body"], title=data["title"],
                                  delivered_on=data["delivered_on"],
                                  source_url=data["source_url"])
            if found and not request.POST.get("save_anyway"):
                context.update(_confirm_context(form), duplicates=found,
                               confirm_duplicates=True)
                return render(request, "admin/archive/import_page_confirm.html", context,
                              status=409)
            try:
                statement = save_page_draft(
                    title=" ".join(data["title"].split()), body=data["body"],
                    delivered_on=data["delivered_on"], kind=data["kind"],
                    language=data["language"], country=data["country"], event=data["event"],
                    new_event_name=" ".join(data["new_event_name"].split()),
                    new_event_city=data["new_event_city"],
                    new_event_country=data["new_event_country"], speakers=form.speakers(),
                    topics=form.topic_names(), source_name=data["source_name"],
                    source_url=data["source_url"], original_text=data["original_text"],
                    user=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Saved “%(title)s” as a draft.")
                                 % {"title": statement.title})
                return redirect(reverse("admin:archive_statement_change", args=[statement.pk]))
        context.update(_confirm_context(form), duplicates=found)
        return render(request, "admin/archive/import_page_confirm.html", context, status=400)

    source_form = PageSourceForm(request.POST or None, request.FILES or None)
    if step == "source" and source_form.is_valid():
        published_on = source_form.cleaned_data.get("published_on")
        try:
            content, is_html, source_url = source_form.content()
            suggestion = suggest_from_page(content, is_html=is_html, published_on=published_on,
                                           source_url=source_url)
        except (FetchError, PageTooLarge) as exc:
            source_form.add_error(None, str(exc))
        else:
            form = StatementDraftForm(initial=_initial(suggestion, content, published_on))
            found = duplicates_of(body=suggestion.body, title=suggestion.title,
                                  delivered_on=suggestion.date or published_on,
                                  source_url=suggestion.source_url)
            context.update(_confirm_context(form), duplicates=found)
            return render(request, "admin/archive/import_page_confirm.html", context)
    context["form"] = source_form
    status = 400 if step == "source" else 200
    return render(request, "admin/archive/import_page.html", context, status=status)
