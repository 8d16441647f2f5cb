"""Data entry for archivists and editors.

The admin is one more client of ``archive.services``: forms validate (the model constraints
carry their own messages), then the services save, keep the derived fields right and announce
the statements whose public form changed.  The admin views run inside a transaction, so an
announcement and the rows it describes commit or roll back together.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from . import services
from .admin_import import import_page
from .importers.names import normalise_honorific
from .models import (
    Country,
    Event,
    IntakeItem,
    Speaker,
    Statement,
    StatementSlugHistory,
    StatementSpeaker,
    Topic,
)
from .services import SpeakerRole
from .templatetags.archive_tags import date_range

# The site itself (titles, the labelled autocomplete) is archive.admin_site.ArchiveAdminSite.


class EventSeriesFilter(admin.SimpleListFilter):
    """The series events belong to, and "none" for the others: an empty series is not an
    unnamed link (which Django's all-values filter would draw)."""

    title = "series"
    parameter_name = "series"
    NONE = "-"

    def lookups(self, request, model_admin):
        series = (
            Event.objects.exclude(series="").order_by("series")
            .values_list("series", flat=True).distinct()
        )
        return [(value, value) for value in series] + [(self.NONE, "In no series")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(series="" if value == self.NONE else value)


class StatementYearFilter(admin.SimpleListFilter):
    """The years statements were delivered in, newest first (one query, not one per year)."""

    title = "year delivered"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Statement.objects.dates("delivered_on", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        try:
            year = int(value)
        except ValueError:
            # A hand-edited URL; show nothing rather than fail.
            return queryset.none()
        if not 1 <= year <= 9999:
            return queryset.none()
        return queryset.in_year(year)


class CleanTextForm(forms.ModelForm):
    """Text cleaned as the services store it (``services.clean_line``/``clean_text``) before the
    model validates it, so a name made only of control characters is "required", not a 500."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            field = self.fields.get(name)
            if isinstance(value, str) and field is not None and name != "body":
                multiline = isinstance(field.widget, forms.Textarea)
                cleaned[name] = (services.clean_text if multiline else services.clean_line)(value)
                if field.required and not cleaned[name]:
                    self.add_error(name, field.error_messages["required"])
        return cleaned


def _row_name(index) -> str:
    return f"speaker {index + 1}" if index is not None else "the new speaker"


class StatementSpeakerForm(CleanTextForm):
    """A row of the speakers table.  The inputs of a table row have no <label> of their own
    (the column headers name them for the eye), so each gets an accessible name with its row
    number, "Role of speaker 2", for screen readers (and axe)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = (self.prefix or "").rpartition("-")[2]
        row = _row_name(int(number) if number.isdigit() else None)
        for name, field in self.fields.items():
            label = row.capitalize() if name == "speaker" else f"{field.label} of {row}"
            # The admin wraps a related field's widget (the "+" and pencil links); the wrapped
            # one is what renders.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs = {**widget.attrs, "aria-label": label}


class StatementSpeakerFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Remove {_row_name(index)}"


class StatementSpeakerInline(admin.TabularInline):
    model = StatementSpeaker
    form = StatementSpeakerForm
    formset = StatementSpeakerFormSet
    fields = ["speaker", "role", "order"]
    autocomplete_fields = ["speaker"]
    extra = 1


@dataclass(frozen=True)
class EditConflict:
    """A change form posted from an older version than the one saved meanwhile."""

    opened: int
    saved: int


class StatementAdminForm(CleanTextForm):
    # No Meta: the admin builds the form from this class with its own model and fieldsets.

    # The version the form was opened at; the save is refused if the statement moved on since.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # Set by StatementAdmin on the form class when the posted version is out of date.
    edit_conflict: EditConflict | None = None
    widen_event_dates = forms.BooleanField(
        required=False,
        label="Widen the event's dates",
        help_text=(
            "When the date delivered falls outside the event's dates, move the event's start "
            "or end to include it (otherwise saving stops and says so)."
        ),
    )
    # Language versions are written by the services (archive.services.link_versions), not
    # as model fields: these three say what to do.
    version_of = forms.CharField(
        required=False, max_length=1000, label="Same statement in another language",
        help_text="The slug or address (on the site or in the admin) of this statement in "
        "another language: this one becomes one of its language versions.",
    )
    original_version = forms.BooleanField(
        required=False, label="This is the original",
        help_text="The version first delivered or published; its other language versions "
        "are translations of it.",
    )
    leave_versions = forms.BooleanField(
        required=False, label="Remove from its language versions",
        help_text="It is not the same statement as the others after all.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "original_version" in self.fields:
            self.fields["original_version"].initial = self.instance.is_original
        # The revert form is built on an earlier version of the statement; its topics are
        # that version's, not today's, so that reverting restores them too.
        version = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if version is not None and "topics" in self.fields:
            self.initial["topics"] = list(version.topics.values_list("topic_id", flat=True))
        if self.instance.pk is not None:
            # From the database, not the instance: a revert form's instance is a past version.
            self.initial["opened_version"] = (
                Statement.objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and cleaned.get("opened_version") is None:
            raise ValidationError(
                gettext("This form does not say which version it was opened at. Reload the "
                        "page and make the change again."),
                code="no_version",
            )
        if self.edit_conflict is not None:
            raise ValidationError(
                gettext("Another editor saved this statement while you were editing it. "
                        "Nothing was saved; compare the versions above and choose."),
                code="edit_conflict",
            )
        event, day = cleaned.get("event"), cleaned.get("delivered_on")
        outside = event is not None and day is not None and not event.covers(day)
        if outside and not cleaned.get("widen_event_dates"):
            raise ValidationError(
                {
                    "delivered_on": (
                        f"{date_range(day)} is outside the dates of “{event}” "
                        f"({date_range(event.start_date, event.end_date)}). Correct the "
                        "date or the event (a yearly meeting has one event per year), or "
                        "tick “Widen the event's dates” below the event to include this day."
                    )
                },
                code="outside_event_dates",
            )
        self._clean_versions(cleaned)
        return cleaned

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug:
            former = StatementSlugHistory.objects.filter(old_slug=slug)
            if self.instance.pk is not None:
                former = former.exclude(statement_id=self.instance.pk)
            if former.exists():
                raise ValidationError(
                    "Another statement had this slug before and its old links still lead "
                    "there. Choose another slug, or leave it blank.",
                    code="former_slug",
                )
        return slug

    def clean_version_of(self) -> Statement | None:
        raw = (self.cleaned_data.get("version_of") or "").strip()
        if not raw:
            return None
        other = statement_named(raw)
        if other is None:
            raise ValidationError("No statement has this slug or address.", code="unknown")
        return other

    def _clean_versions(self, data: dict) -> None:
        other = data.get("version_of")
        language = data.get("language") or self.instance.language
        leaving = data.get("leave_versions")
        if other is not None and not leaving:
            problem = services.version_link_problem(
                statement=self.instance, version_of=other, language=language
            )
            if problem:
                self.add_error("version_of", problem)
        elif self.instance.version_group_id and not leaving and language:
            # A new language must not be one its versions already have.
            taken = (Statement.objects.versions_of(self.instance).filter(language=language)
                     .first())
            if taken is not None:
                self.add_error("language", f"Its version “{taken.title}” is in this language "
                               "already.")
        will_have_versions = other is not None or (self.instance.version_group_id and not leaving)
        if data.get("original_version") and not will_have_versions:
            self.add_error("original_version", "Only a statement with versions in other "
                           "languages can be their original.")


def statement_named(raw: str) -> Statement | None:
    """The statement a slug, a site address (/statements/<slug>/...) or an admin change
    address (.../statement/<pk>/change/) names, a former slug too; None if none."""
    parts = [part for part in unquote(urlsplit(raw).path).split("/") if part]
    if not parts:
        return None
    if len(parts) >= 2 and parts[-1] == "change" and parts[-2].isdigit():
        return Statement.objects.filter(pk=int(parts[-2])).first()
    slug = parts[parts.index("statements") + 1] if "statements" in parts[:-1] else parts[-1]
    found = Statement.objects.filter(slug=slug).first()
    if found is None:
        former = StatementSlugHistory.objects.filter(old_slug=slug).select_related("statement")
        found = next((f.statement for f in former[:1]), None)
    return found


def event_label(event: Event) -> str:
    """An event as editors choose it: the name with its dates and place, so that yearly
    meetings of one name can be told apart."""
    details = ", ".join(
        part for part in (date_range(event.start_date, event.end_date), event.place) if part
    )
    return f"{event.name} ({details})"


def _change_reason(request, form, change: bool) -> str:
    """What the edit history says of a save in the admin."""
    reverting = getattr(request, "archive_reverting_to", None)
    if reverting is not None:
        return f"Reverted to version {reverting} in the admin"
    if not change:
        return "Added in the admin"
    fields = [
        str(form.fields[name].label or name).lower()
        for name in form.changed_data
        if name in form.fields and name != "widen_event_dates"
    ]
    reason = f"Changed {', '.join(fields)} in the admin" if fields else "Saved in the admin"
    return Truncator(reason).chars(100)  # the history's column holds 100 characters


def _admin_change_link(statement: Statement) -> str:
    url = reverse("admin:archive_statement_change", args=[statement.pk])
    return format_html('<a href="{}">{}</a> ({})', url, statement.title, statement.delivered_on)


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    form = StatementAdminForm
    history_list_display = ["status"]
    # Every column fits a 1366 px screen beside the filters (static/css/admin.css): the event
    # by its short name, long names and titles wrapping within their share of the width.
    list_display = ["delivered_on", "title", "speaker_names", "event_name", "country", "status"]
    list_display_links = ["title"]
    list_filter = [
        "status",
        "kind",
        "language",
        StatementYearFilter,
        ("event", admin.RelatedOnlyFieldListFilter),
        ("country", admin.RelatedOnlyFieldListFilter),
    ]
    # Not the body: a substring scan over thousands of long speeches is what the search
    # portal is for; editors find records by title, summary, speaker or event.
    search_fields = [
        "title",
        "summary",
        "statement_speakers__speaker__name",
        "statement_speakers__speaker__name_ar",
        "statement_speakers__speaker__name_latin",
        "statement_speakers__speaker__aliases",
        "event__name",
        "event__short_name",
    ]
    search_help_text = "Title, summary, speaker name (either script) or alias, event name."
    date_hierarchy = "delivered_on"
    autocomplete_fields = ["event", "country", "topics"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [StatementSpeakerInline]
    actions = ["publish_selected", "unpublish_selected"]
    list_per_page = 50
    # The unfiltered total would cost a second COUNT over the whole table on every search.
    show_full_result_count = False
    readonly_fields = [
        "possible_duplicates",
        "language_versions",
        "possible_versions",
        "published_at",
        "former_slugs",
        "import_key",
        "content_hash",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "possible_duplicates",
                    "title",
                    "slug",
                    "delivered_on",
                    "kind",
                    "language",
                    "status",
                    "opened_version",
                ]
            },
        ),
        ("Context", {"fields": ["country", "event", "widen_event_dates", "topics"]}),
        (
            "Language versions",
            {"fields": ["language_versions", "possible_versions", "version_of",
                        "original_version", "leave_versions"]},
        ),
        ("Text", {"fields": ["summary", "body"]}),
        (
            "Source",
            {"fields": ["source_name", "source_url", "original_text"], "classes": ["collapse"]},
        ),
        (
            "Record",
            {
                "fields": [
                    "published_at",
                    "former_slugs",
                    ("created_at", "created_by"),
                    ("updated_at", "updated_by"),
                    "import_key",
                    "content_hash",
                ],
                # Folded so the speakers (an inline, always below the fieldsets) stay close.
                "classes": ["collapse"],
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return self.fieldsets
        # A new statement has no duplicates to show yet (the warning comes after saving)
        # and no record of who made it.
        first, *middle, _record = self.fieldsets
        first_fields = [
            f for f in first[1]["fields"] if f not in ("possible_duplicates", "opened_version")
        ]
        new_only = {"language_versions", "possible_versions", "leave_versions"}
        middle = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in new_only]})
            for name, options in middle
        ]
        return [(first[0], {**first[1], "fields": first_fields}), *middle]

    def get_urls(self):
        # The press-release import lives beside the statement list, behind admin_view (login,
        # staff, CSRF) and the add permission.
        name = f"{self.opts.app_label}_{self.opts.model_name}_import_page"
        extra = [
            path("import-page/", self.admin_site.admin_view(
                lambda request: import_page(request, self)), name=name),
        ]
        return extra + super().get_urls()

    def get_queryset(self, request):
        # for_listing() fetches the speakers, event and country of a whole page in a fixed
        # number of queries, so the speakers column costs no query per row.
        return super().get_queryset(request).for_listing()

    def get_search_results(self, request, queryset, search_term):
        # Speaker names sit behind a to-many join.  The stock admin answers that with
        # SELECT DISTINCT over every column, bodies included; a pk subquery is far cheaper.
        if not search_term:
            return queryset, False
        matched, _ = super().get_search_results(request, Statement.objects.all(), search_term)
        return queryset.filter(pk__in=matched.values("pk")), False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "event" and field is not None:
            # The chosen event reads as the autocomplete offered it: with its dates and place.
            field.label_from_instance = event_label
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        conflict = getattr(request, "_edit_conflict", None)
        if conflict is not None:
            form = type(form.__name__, (form,), {"edit_conflict": conflict})
        if "title" in form.base_fields:
            # Titles run long ("Statement by ... at the ... session of ..."): a wide input.
            form.base_fields["title"].widget.attrs["class"] = "vLargeTextField"
        if "slug" in form.base_fields:
            # Left blank (no JavaScript, or a cleared field) the service makes one from the
            # title; a slug that is given must still be unique.
            form.base_fields["slug"].required = False
            form.base_fields["slug"].help_text = "Leave blank to make one from the title."
        return form

    @admin.display(description="speakers")
    def speaker_names(self, obj: Statement) -> str:
        return ", ".join(str(link.speaker) for link in obj.statement_speakers.all())

    @admin.display(description="event", ordering="event__name")
    def event_name(self, obj: Statement) -> str:
        if obj.event is None:
            return "-"
        return obj.event.short_name or obj.event.name

    @admin.display(description="possible duplicates")
    def possible_duplicates(self, obj: Statement) -> str:
        if obj.pk is None:
            return "-"
        duplicates = services.find_duplicates(
            body=obj.body, title=obj.title, delivered_on=obj.delivered_on, exclude_pk=obj.pk
        )
        if not duplicates:
            return "None found"
        return format_html_join(
            format_html("<br>"), "{}", ((_admin_change_link(d),) for d in duplicates)
        )

    @admin.display(description="versions")
    def language_versions(self, obj: Statement) -> str:
        versions = list(Statement.objects.versions_of(obj)) if obj.pk else []
        if not versions:
            return "None: this statement is in one language only."
        return format_html_join(
            format_html("<br>"), "{}: {}{}",
            ((v.get_language_display(), _admin_change_link(v),
              " (original)" if v.is_original else "") for v in versions),
        )

    @admin.display(description="possibly the same statement")
    def possible_versions(self, obj: Statement) -> str:
        """Statements of the same day, event and speaker in other languages (find_versions)."""
        if obj.pk is None:
            return "-"
        found: dict[int, Statement] = {}
        speakers = [link.speaker for link in obj.statement_speakers.all()] or [None]
        for speaker in speakers:
            for candidate in services.find_versions(
                speaker=speaker, event=obj.event, delivered_on=obj.delivered_on,
                language=obj.language, exclude_pk=obj.pk,
            ):
                found.setdefault(candidate.pk, candidate)
        if not found:
            return "None found"
        return format_html_join(
            format_html("<br>"), "{} – {}: copy <code>{}</code> into the field below",
            ((c.get_language_display(), _admin_change_link(c), c.slug) for c in found.values()),
        )

    @admin.display(description="former slugs")
    def former_slugs(self, obj: Statement) -> str:
        # Old permalinks that redirect here; they stay reserved for this statement.
        return ", ".join(obj.slug_history.values_list("old_slug", flat=True)) or "-"

    # --- two editors on one statement ---------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None:
            self._note_edit_conflict(request, object_id)
        try:
            return self._changeform_once(request, object_id, form_url, extra_context)
        except services.StatementConflict:
            # Another save committed between this form's check and its own (the service
            # holds the row lock): nothing was written; show the conflict like any other.
            self._note_edit_conflict(request, object_id)
            return self._changeform_once(request, object_id, form_url, extra_context)

    def _changeform_once(self, request, object_id, form_url, extra_context):
        # One save writes the statement, then its speakers and topics: the statement is
        # announced once, when all of it is written, inside the admin's transaction.
        with transaction.atomic(), services.collected_announcements():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def _note_edit_conflict(self, request, object_id) -> None:
        """Compare the posted version with the saved one; on a conflict, keep what was typed
        but let the form answer the saved version, so that saving it again is a choice."""
        posted = request.POST.get("opened_version", "")
        saved = Statement.objects.filter(pk=object_id).values_list("version", flat=True).first()
        if saved is None or not posted.isdigit() or int(posted) == saved:
            return
        request._edit_conflict = EditConflict(opened=int(posted), saved=saved)
        data = request.POST.copy()
        data["opened_version"] = str(saved)
        # The typed speakers become new rows: the saved version replaced the rows the form
        # was opened with, and saving the form replaces them again with exactly these.
        prefix = StatementSpeaker._meta.get_field("statement").remote_field.get_accessor_name()
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for key in [k for k in data if k.startswith(f"{prefix}-") and k.endswith("-id")]:
            del data[key]
        request.POST = data

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        conflict = getattr(request, "_edit_conflict", None)
        if conflict is not None and obj is not None:
            context["edit_conflict"] = self._conflict_view(conflict, context, obj)
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if conflict is not None:
            response.status_code = 409
        return response

    def _conflict_view(self, conflict: EditConflict, context, obj) -> dict:
        """Both versions, field by field where they differ, for the conflict panel."""
        saved = Statement.objects.for_detail().select_related("updated_by").get(pk=obj.pk)
        form = context["adminform"].form
        typed = getattr(form, "cleaned_data", {})
        rows = []
        for name, field in form.fields.items():
            if name in ("opened_version", "slug") or name not in typed:
                continue
            if name not in _STATEMENT_FIELDS:
                continue  # a choice of the form's own (widening dates, linking versions)
            theirs = _shown(saved, name, getattr(saved, name))
            yours = typed[name]
            if name == "body":
                yours = services.normalise_body(yours)
            yours = _shown(saved, name, yours)
            if theirs != yours:
                rows.append(_difference(str(field.label or name), theirs, yours))
        yours_speakers = []
        for inline in context.get("inline_admin_formsets", []):
            if inline.formset.model is StatementSpeaker:
                yours_speakers = _typed_speakers(inline.formset)
        theirs_speakers = [_speaker_label(link.speaker, link.role)
                           for link in saved.statement_speakers.all()]
        if theirs_speakers != yours_speakers:
            rows.append(_difference(gettext("Speakers"), "; ".join(theirs_speakers),
                                    "; ".join(yours_speakers)))
        return {
            "opened": conflict.opened,
            "saved": conflict.saved,
            "saved_by": saved.updated_by,
            "saved_at": saved.updated_at,
            "rows": rows,
            "saved_url": reverse("admin:archive_statement_change", args=[obj.pk]),
        }

    # --- writes: every one through archive.services ------------------------------------

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = _change_reason(request, form, change)
        widen = form.cleaned_data.get("widen_event_dates") and obj.event is not None
        if widen and services.widen_event_dates(event=obj.event, to_include=obj.delivered_on):
            messages.info(
                request,
                f"The dates of “{obj.event}” are now "
                f"{date_range(obj.event.start_date, obj.event.end_date)}.",
            )
        services.record_statement_saved(
            statement=obj, user=request.user,
            expected_version=form.cleaned_data.get("opened_version"),
        )
        self._save_versions(request, obj, form.cleaned_data)
        duplicates = services.find_duplicates(
            body=obj.body, title=obj.title, delivered_on=obj.delivered_on, exclude_pk=obj.pk
        )
        if duplicates:
            messages.warning(
                request,
                format_html(
                    "This statement may duplicate {} already in the archive "
                    "(same text, or same title on the same day): {}",
                    ngettext("a statement", "statements", len(duplicates)),
                    format_html_join(", ", "{}", ((_admin_change_link(d),) for d in duplicates)),
                ),
            )

    def _save_versions(self, request, obj: Statement, data: dict) -> None:
        if data.get("leave_versions"):
            services.unlink_version(statement=obj, user=request.user)
        elif data.get("version_of") is not None:
            services.link_versions(statement=obj, version_of=data["version_of"], user=request.user)
        if "original_version" in data and obj.version_group_id is not None:
            wanted = bool(data["original_version"])
            if wanted != obj.is_original:
                services.set_original_version(statement=obj, is_original=wanted,
                                              user=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The topics' version (simple_history writes one for them) had the same reason; it
        # must not stick to a later save of this object.
        form.instance.__dict__.pop("_change_reason", None)
        # Speakers (the inline) and topics are saved only now.
        services.announce_statements([form.instance.pk])

    def save_formset(self, request, form, formset, change):
        if formset.model is not StatementSpeaker:
            return super().save_formset(request, form, formset, change)
        # The speakers as the form lists them, in their order, replace the saved ones through
        # the service (the statement's save just moved the version on).
        services.set_statement_speakers(
            statement=form.instance,
            speakers=[SpeakerRole(speaker=row["speaker"], role=row.get("role") or "")
                      for row in _speaker_rows(formset)],
            new_version=False,
        )
        # What the admin's change message reads after a formset's save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting saves the fields (through save_model, so through the services and the
        # search queue) and then the topics: one transaction, as the change form has.  A
        # revert form opened before someone else's save is a conflict like a change form's.
        request.archive_reverting_to = version_id
        if request.method == "POST":
            self._note_edit_conflict(request, object_id)
        try:
            with transaction.atomic(), services.collected_announcements():
                return super().history_form_view(request, object_id, version_id, extra_context)
        except services.StatementConflict:
            self._note_edit_conflict(request, object_id)
            with transaction.atomic(), services.collected_announcements():
                return super().history_form_view(request, object_id, version_id, extra_context)

    def delete_model(self, request, obj):
        services.delete_statement(statement=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(), services.collected_announcements():
            for statement in queryset:
                services.delete_statement(statement=statement, user=request.user)

    @admin.action(description="Publish selected statements", permissions=["change"])
    def publish_selected(self, request, queryset):
        try:
            changed = services.publish_statements(statements=queryset, user=request.user)
        except services.StatementConflict as conflict:
            self.message_user(request, _nothing_done(conflict, gettext("published")),
                              messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d statement published.", "%(count)d statements published.", changed
            )
            % {"count": changed},
            messages.SUCCESS if changed else messages.INFO,
        )

    @admin.action(
        description="Unpublish selected statements (back to draft)", permissions=["change"]
    )
    def unpublish_selected(self, request, queryset):
        try:
            changed = services.unpublish_statements(statements=queryset, user=request.user)
        except services.StatementConflict as conflict:
            self.message_user(request, _nothing_done(conflict, gettext("unpublished")),
                              messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d statement returned to draft.",
                "%(count)d statements returned to draft.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS if changed else messages.INFO,
        )


def _nothing_done(conflict, done: str) -> str:
    return gettext("Nothing was %(done)s: %(conflict)s Reload the list and try again.") % {
        "done": done, "conflict": conflict,
    }


def _speaker_label(speaker, role: str) -> str:
    return f"{speaker} ({role})" if role else str(speaker)


def _speaker_rows(formset) -> list[dict]:
    rows = [
        form.cleaned_data for form in formset.forms
        if getattr(form, "cleaned_data", None) and form.cleaned_data.get("speaker")
        and not form.cleaned_data.get("DELETE")
    ]
    return sorted(rows, key=lambda row: row.get("order") or 0)


_STATEMENT_FIELDS = frozenset(f.name for f in Statement._meta.get_fields())


def _typed_speakers(formset) -> list[str]:
    return [_speaker_label(row["speaker"], services.clean_line(row.get("role")))
            for row in _speaker_rows(formset)]


def _shown(statement, name: str, value) -> str:
    """A field's value as the conflict panel shows it."""
    field = statement._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(sorted(str(item) for item in (value.all() if hasattr(value, "all")
                                                        else value)))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if value is None or value == "":
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _difference(label: str, theirs: str, yours: str) -> dict:
    """One row of the conflict panel; long texts by paragraph, with what changed marked."""
    row = {"label": label, "theirs": theirs, "yours": yours, "changes": None}
    if len(theirs) > 300 or len(yours) > 300 or "\n" in theirs + yours:
        old, new = theirs.split("\n\n"), yours.split("\n\n")
        changes = []
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                changes.append({"removed": old[i1:i2], "added": new[j1:j2]})
        row["changes"] = changes
    return row


class AnnouncingAdmin(admin.ModelAdmin):
    """Speakers, events, topics and countries: a rename changes how their statements read in
    search, so the save goes through the services, which announce those statements."""

    form = CleanTextForm

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user  # django-simple-history's record of who
        obj._change_reason = _change_reason(request, form, change)
        services.record_saved(instance=obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.archive_reverting_to = version_id
        return super().history_form_view(request, object_id, version_id, extra_context)


class SpeakerAdminForm(forms.ModelForm):
    def clean_honorific(self):
        # One style everywhere (README, "Honorifics"): "H.E." and "His Excellency" become HE.
        return normalise_honorific(self.cleaned_data.get("honorific", ""))


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin, AnnouncingAdmin):
    form = SpeakerAdminForm
    list_display = ["name", "name_ar", "name_latin", "honorific", "country", "statement_count"]
    list_filter = [("country", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_ar", "name_latin", "aliases"]
    search_help_text = "Name (either script) or any alias."
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]
    readonly_fields = ["sort_name", "created_at", "updated_at"]
    fields = [
        "name", "name_ar", "name_latin", "slug", "honorific", "country", "aliases", "notes",
        "sort_name", "created_at", "updated_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("country")
            .annotate(statement_count=Count("statement_links"))
        )

    @admin.display(description="statements", ordering="statement_count")
    def statement_count(self, obj: Speaker) -> int:
        return obj.statement_count

    def autocomplete_label(self, obj: Speaker) -> str:
        return f"{obj.name} ({obj.country.name})" if obj.country else obj.name


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin, AnnouncingAdmin):
    list_display = [
        "name",
        "kind",
        "series",
        "start_date",
        "end_date",
        "city",
        "country",
        "statement_count",
    ]
    list_filter = [
        "kind",
        EventSeriesFilter,
        ("country", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "short_name", "series", "city"]
    search_help_text = "Name, short name, series, city, or the year it ran (2022)."
    # Newest first here and in the statement form's event choice.
    ordering = ["-start_date", "name"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "name",
        "short_name",
        "slug",
        "kind",
        "series",
        ("start_date", "end_date"),
        ("city", "country"),
        "organiser",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("country")
            .annotate(statement_count=Count("statements"))
        )

    def get_search_results(self, request, queryset, search_term):
        # A year among the words ("Dushanbe 2022") is the year the event ran in, so that
        # yearly meetings of one name are told apart by typing it.
        words = search_term.split()
        years = [int(w) for w in words if len(w) == 4 and w.isdigit()]
        rest = " ".join(w for w in words if not (len(w) == 4 and w.isdigit()))
        for year in years:
            queryset = queryset.filter(start_date__year__lte=year).filter(
                Q(end_date__year__gte=year) | Q(end_date__isnull=True, start_date__year=year)
            )
        return super().get_search_results(request, queryset, rest)

    def autocomplete_label(self, obj: Event) -> str:
        return event_label(obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            outside = Statement.objects.outside_dates_of(obj)
            found = outside.count()
            if found:
                url = reverse("admin:archive_statement_changelist") + f"?event__id__exact={obj.pk}"
                messages.warning(
                    request,
                    format_html(
                        "{} of this event's statements {} dated outside "
                        "{}: <a href=\"{}\">check their dates</a>, or widen the event's dates "
                        "to include them.",
                        found,
                        "is" if found == 1 else "are",
                        date_range(obj.start_date, obj.end_date),
                        url,
                    ),
                )

    @admin.display(description="statements", ordering="statement_count")
    def statement_count(self, obj: Event) -> int:
        return obj.statement_count


class MergeTopicsForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Topic.objects.none(),
        label="Keep this topic",
        help_text="The other selected topics are deleted; their statements are filed under "
        "this one instead.",
    )

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = topics


@admin.register(Topic)
class TopicAdmin(AnnouncingAdmin):
    list_display = ["name", "slug", "statement_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_count=Count("statements"))

    @admin.display(description="statements", ordering="statement_count")
    def statement_count(self, obj: Topic) -> int:
        return obj.statement_count

    def delete_model(self, request, obj):
        # A topic is a many-to-many link, not a protected key: deleting it takes it off its
        # statements, so the services re-announce them.
        services.delete_topics(topics=[obj])

    def delete_queryset(self, request, queryset):
        services.delete_topics(topics=queryset)

    @admin.action(description="Merge selected topics into one", permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        topics = queryset.order_by("name")
        if topics.count() < 2:
            self.message_user(request, "Select at least two topics to merge.", messages.WARNING)
            return None
        if "apply" in request.POST:
            form = MergeTopicsForm(request.POST, topics=topics)
            if form.is_valid():
                into = form.cleaned_data["into"]
                touched = services.merge_topics(topics=list(topics), into=into)
                self.message_user(
                    request,
                    f"Merged {topics.count() - 1} topic(s) into “{into}”; "
                    f"{touched} statement(s) refiled.",
                    messages.SUCCESS,
                )
                return None
        else:
            form = MergeTopicsForm(topics=topics)
        return TemplateResponse(
            request,
            "admin/archive/topic/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge topics",
                "opts": self.model._meta,
                "form": form,
                "topics": topics,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Country)
class CountryAdmin(AnnouncingAdmin):
    """Reference data, seeded by migrations so every installation agrees.

    Nobody adds or deletes countries here; someone with the change permission (not the
    Editors group) may correct a name or the historical flag, and the statements it names are
    re-indexed.  The code is a record's identity and stays as seeded.
    """

    list_display = ["code", "name", "historical", "statement_count"]
    list_filter = ["historical"]
    search_fields = ["code", "name"]
    search_help_text = "Code (QAT, YUG, EU) or name."
    fields = ["code", "name", "historical"]
    readonly_fields = ["code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_count=Count("statements"))

    @admin.display(description="statements", ordering="statement_count")
    def statement_count(self, obj: Country) -> int:
        return obj.statement_count

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IntakeItem)
class IntakeItemAdmin(admin.ModelAdmin):
    """The review queue: harvested pages and their drafts, to accept, correct or reject."""

    list_display = ["page_title", "source", "delivered_on", "status", "duplicate", "harvested_at"]
    list_filter = ["status", ("duplicate_of", admin.EmptyFieldListFilter)]
    search_fields = ["source_url", "origin", "statement__title"]
    search_help_text = gettext_lazy("Address, file or title.")
    actions = ["accept_selected", "accept_and_publish_selected", "reject_selected"]
    list_select_related = ["statement", "duplicate_of"]
    readonly_fields = ["correct_link", "source_url", "origin", "status", "duplicate_link",
                       "evidence", "harvested_at", "reviewed_at", "reviewed_by", "original_text"]
    fields = readonly_fields
    list_per_page = 50

    def has_add_permission(self, request):
        return False  # pages arrive by harvest or import

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("archive.change_statement")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("archive.view_statement") or self.has_change_permission(
            request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # rejecting keeps the page, so a later harvest leaves it out

    @admin.display(description=gettext_lazy("title"))
    def page_title(self, obj: IntakeItem) -> str:
        if obj.statement is not None:
            return obj.statement.title
        return (obj.suggestions or {}).get("title") or obj.origin[:80]

    @admin.display(description=gettext_lazy("source"))
    def source(self, obj: IntakeItem) -> str:
        return obj.source_url or obj.origin

    @admin.display(description=gettext_lazy("date"))
    def delivered_on(self, obj: IntakeItem):
        return obj.statement.delivered_on if obj.statement else None

    @admin.display(description=gettext_lazy("possible duplicate"), boolean=True)
    def duplicate(self, obj: IntakeItem) -> bool:
        return obj.duplicate_of_id is not None

    @admin.display(description=gettext_lazy("draft"))
    def correct_link(self, obj: IntakeItem) -> str:
        if obj.statement is None:
            return "-"
        url = reverse("admin:archive_statement_change", args=[obj.statement.pk])
        return format_html('<a href="{}">{}</a>', url, gettext_lazy("Correct the draft"))

    @admin.display(description=gettext_lazy("duplicate of"))
    def duplicate_link(self, obj: IntakeItem) -> str:
        return _admin_change_link(obj.duplicate_of) if obj.duplicate_of else "-"

    @admin.display(description=gettext_lazy("where each suggestion came from"))
    def evidence(self, obj: IntakeItem) -> str:
        evidence = (obj.suggestions or {}).get("evidence") or {}
        rows = []
        for key, value in evidence.items():
            for item in value if isinstance(value, list) else [value]:
                if item and item.get("text"):
                    rows.append((key, f"{item.get('confidence', 0):.2f}", item["text"]))
        notes = (obj.suggestions or {}).get("notes") or {}
        rows += [(key, "", note) for key, note in notes.items()]
        if not rows:
            return "-"
        return format_html_join(mark_safe("<br>"), "<b>{}</b> ({}): <q>{}</q>", rows)

    def _review(self, request, queryset, verb, done):
        self.message_user(request, ngettext("%(count)d page %(verb)s.",
                                            "%(count)d pages %(verb)s.", done)
                          % {"count": done, "verb": verb},
                          messages.SUCCESS if done else messages.INFO)

    @admin.action(description=gettext_lazy("Accept selected pages (keep their drafts)"),
                  permissions=["change"])
    def accept_selected(self, request, queryset):
        done = services.accept_intake_items(items=queryset.select_related("statement"),
                                            user=request.user)
        self._review(request, queryset, gettext_lazy("accepted"), done)

    @admin.action(description=gettext_lazy("Accept and publish selected pages"),
                  permissions=["change"])
    def accept_and_publish_selected(self, request, queryset):
        done = services.accept_intake_items(items=queryset.select_related("statement"),
                                            user=request.user, publish=True)
        self._review(request, queryset, gettext_lazy("accepted and published"), done)

    @admin.action(description=gettext_lazy("Reject selected pages (delete their drafts)"),
                  permissions=["change"])
    def reject_selected(self, request, queryset):
        done = services.reject_intake_items(items=queryset.select_related("statement"),
                                            user=request.user)
        self._review(request, queryset, gettext_lazy("rejected"), done)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("original_text")

