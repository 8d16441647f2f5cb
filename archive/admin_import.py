"""Admin: import a press release from a ministry web page, in two steps.

Step 1: the editor pastes the page's text or uploads its .txt/.html (and may give its
publication date).  Step 2: a form prefilled with the importer's suggestions, which the
editor corrects; saving creates a draft through the services and opens it in the admin.
Likely duplicates are shown as a warning on step 2.  Nothing typed is lost on an error:
both steps re-render with the editor's input.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from .importers.page import ConfirmedSpeaker, save_page_draft, suggest_from_page
from .models import Country, Event, Kind, Language
from .services import find_duplicates

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
ALLOWED_SUFFIXES = (".txt", ".html", ".htm")
SPEAKER_ROWS = 4


def _date_input() -> forms.DateInput:
    # A browser's date picker reads and sends ISO dates, whatever the site's locale.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PageSourceForm(forms.Form):
    text = forms.CharField(
        label="Page text", required=False, widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Paste the text of the ministry page (menus and buttons are removed).",
    )
    upload = forms.FileField(
        label="…or upload the page", required=False,
        help_text=f"A .txt or .html file, at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
    )
    published_on = forms.DateField(
        label="Publication date", required=False,
        widget=_date_input(),
        help_text='Resolves weekdays such as "Tuesday" in the text.',
    )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise ValidationError("Upload a .txt or .html file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
            )
        try:
            content = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("The file is not UTF-8 text.") from None
        return upload.name, content

    def clean(self):
        data = super().clean()
        nothing_given = not (data.get("text") or "").strip() and not data.get("upload")
        if nothing_given and not self.errors:
            raise ValidationError("Paste the page's text or upload its file.")
        return data

    def content(self) -> tuple[str, bool]:
        upload = self.cleaned_data.get("upload")
        if upload:
            name, content = upload
            return content, name.lower().endswith((".html", ".htm"))
        return self.cleaned_data["text"], False


class StatementDraftForm(forms.Form):
    title = forms.CharField(max_length=500)
    delivered_on = forms.DateField(label="Date delivered", widget=_date_input())
    kind = forms.ChoiceField(choices=Kind.choices)
    language = forms.ChoiceField(choices=Language.choices)
    country = forms.ModelChoiceField(Country.objects.all(), required=False, label="Delegation")
    event = forms.ModelChoiceField(
        Event.objects.order_by("-start_date"), required=False, label="Existing event",
    )
    new_event_name = forms.CharField(max_length=400, required=False,
                                     label="…or a new event's name")
    new_event_city = forms.CharField(max_length=120, required=False, label="New event's city")
    new_event_country = forms.ModelChoiceField(Country.objects.all(), required=False,
                                               label="New event's country")
    topics = forms.CharField(required=False, help_text="Comma-separated.")
    source_name = forms.CharField(max_length=300, required=False)
    source_url = forms.URLField(max_length=1000, required=False, assume_scheme="https")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 20}))
    original_text = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(SPEAKER_ROWS):
            self.fields[f"speaker_{index}_honorific"] = forms.CharField(
                max_length=40, required=False, label=f"Speaker {index + 1}: honorific")
            self.fields[f"speaker_{index}_name"] = forms.CharField(
                max_length=200, required=False, label="name")
            self.fields[f"speaker_{index}_role"] = forms.CharField(
                max_length=400, required=False, label="role")

    def clean(self):
        data = super().clean()
        if data.get("event") and (data.get("new_event_name") or "").strip():
            self.add_error("new_event_name", "Choose an existing event or name a new one.")
        for index in range(SPEAKER_ROWS):
            if (data.get(f"speaker_{index}_role") or data.get(f"speaker_{index}_honorific")) \
                    and not (data.get(f"speaker_{index}_name") or "").strip():
                self.add_error(f"speaker_{index}_name", "A speaker needs a name.")
        return data

    def speakers(self) -> list[ConfirmedSpeaker]:
        return [
            ConfirmedSpeaker(
                name=self.cleaned_data[f"speaker_{i}_name"].strip(),
                honorific=self.cleaned_data[f"speaker_{i}_honorific"].strip(),
                role=self.cleaned_data[f"speaker_{i}_role"].strip(),
            )
            for i in range(SPEAKER_ROWS)
            if self.cleaned_data.get(f"speaker_{i}_name", "").strip()
        ]

    def speaker_rows(self):
        return [
            (self[f"speaker_{i}_honorific"], self[f"speaker_{i}_name"], self[f"speaker_{i}_role"])
            for i in range(SPEAKER_ROWS)
        ]

    def topic_names(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("topics", "").split(",") if t.strip()]


def _initial(suggestion, content: str, published_on: datetime.date | None) -> dict:
    def country(name: str):
        if not name:
            return None
        return Country.objects.filter(name__iexact=name).first()

    event = (Event.objects.filter(name__iexact=suggestion.event.name).first()
             if suggestion.event.name else None)
    initial = {
        "title": suggestion.title,
        "delivered_on": suggestion.date or published_on,
        "kind": suggestion.kind,
        "language": suggestion.language if suggestion.language in Language.values else "en",
        "country": country(suggestion.country),
        "event": event,
        "new_event_name": "" if event else suggestion.event.name,
        "new_event_city": "" if event else suggestion.event.city,
        "new_event_country": None if event else country(suggestion.event.country),
        "topics": ", ".join(suggestion.topics),
        "source_name": suggestion.source,
        "body": suggestion.body,
        "original_text": content,
    }
    for index, speaker in enumerate(suggestion.speakers[:SPEAKER_ROWS]):
        initial[f"speaker_{index}_honorific"] = speaker.honorific
        initial[f"speaker_{index}_name"] = speaker.name
        initial[f"speaker_{index}_role"] = speaker.role
    return initial


def _import_page(request):
    if not request.user.has_perm("archive.add_statement"):
        raise PermissionDenied
    context = {**admin.site.each_context(request), "title": "Import a press release"}
    step = request.POST.get("step") if request.method == "POST" else None

    if step == "confirm":
        form = StatementDraftForm(request.POST)
        duplicates = []
        if form.is_valid():
            data = form.cleaned_data
            duplicates = find_duplicates(body=data["body"], title=data["title"],
                                         delivered_on=data["delivered_on"])
            if duplicates and not request.POST.get("save_anyway"):
                context.update(form=form, duplicates=duplicates, confirm_duplicates=True)
                return render(request, "admin/archive/import_page_confirm.html", context)
            try:
                statement = save_page_draft(
                    title=data["title"], body=data["body"], delivered_on=data["delivered_on"],
                    kind=data["kind"], language=data["language"], country=data["country"],
                    event=data["event"], new_event_name=data["new_event_name"],
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
                messages.success(request, f"Saved “{statement.title}” as a draft.")
                return redirect(reverse("admin:archive_statement_change", args=[statement.pk]))
        context.update(form=form, duplicates=duplicates)
        return render(request, "admin/archive/import_page_confirm.html", context, status=400)

    source_form = PageSourceForm(request.POST or None, request.FILES or None)
    if step == "source" and source_form.is_valid():
        content, is_html = source_form.content()
        published_on = source_form.cleaned_data.get("published_on")
        suggestion = suggest_from_page(content, is_html=is_html, published_on=published_on)
        form = StatementDraftForm(initial=_initial(suggestion, content, published_on))
        duplicates = find_duplicates(body=suggestion.body, title=suggestion.title,
                                     delivered_on=suggestion.date or published_on)
        context.update(form=form, duplicates=duplicates)
        return render(request, "admin/archive/import_page_confirm.html", context)
    context["form"] = source_form
    status = 400 if step == "source" else 200
    return render(request, "admin/archive/import_page.html", context, status=status)


import_page_view = admin.site.admin_view(_import_page)
