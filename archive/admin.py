"""Data entry for archivists and editors.

The admin is one more client of ``archive.services``: forms validate (the model constraints
carry their own messages), then the services save, keep the derived fields right and announce
the statements whose public form changed.  The admin views run inside a transaction, so an
announcement and the rows it describes commit or roll back together.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from . import services
from .models import (
    Country,
    Event,
    Speaker,
    Statement,
    StatementSlugHistory,
    StatementSpeaker,
    Topic,
)

admin.site.site_header = "Diplomatic Statements Archive"
admin.site.site_title = "Archive admin"
admin.site.index_title = "Archive data entry"


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


class StatementSpeakerInline(admin.TabularInline):
    model = StatementSpeaker
    fields = ["speaker", "role", "order"]
    autocomplete_fields = ["speaker"]
    extra = 1


class StatementAdminForm(forms.ModelForm):
    # No Meta: the admin builds the form from this class with its own model and fieldsets.

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

    def clean(self):
        data = super().clean()
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
        return data


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


def _admin_change_link(statement: Statement) -> str:
    url = reverse("admin:archive_statement_change", args=[statement.pk])
    return format_html('<a href="{}">{}</a> ({})', url, statement.title, statement.delivered_on)


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    form = StatementAdminForm
    history_list_display = ["status"]
    list_display = ["delivered_on", "title", "speaker_names", "event", "country", "status"]
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
                ]
            },
        ),
        ("Context", {"fields": ["country", "event", "topics"]}),
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
        first_fields = [f for f in first[1]["fields"] if f != "possible_duplicates"]
        new_only = {"language_versions", "possible_versions", "leave_versions"}
        middle = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in new_only]})
            for name, options in middle
        ]
        return [(first[0], {**first[1], "fields": first_fields}), *middle]

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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
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

    # --- writes: every one through archive.services ------------------------------------

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        services.record_statement_saved(statement=obj, user=request.user)
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # One save writes the statement, then its speakers and topics: the statement is
        # announced once, when all of it is written, inside the admin's transaction.
        with transaction.atomic(), services.collected_announcements():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Speakers (the inline) and topics are saved only now.
        services.announce_statements([form.instance.pk])

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting saves the fields (through save_model, so through the services and the
        # search queue) and then the topics: one transaction, as the change form has.
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
        changed = services.publish_statements(statements=queryset, user=request.user)
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
        changed = services.unpublish_statements(statements=queryset, user=request.user)
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


class AnnouncingAdmin(admin.ModelAdmin):
    """Speakers, events, topics and countries: a rename changes how their statements read in
    search, so the save goes through the services, which announce those statements."""

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user  # django-simple-history's record of who
        services.record_saved(instance=obj)


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin, AnnouncingAdmin):
    list_display = ["name", "name_ar", "name_latin", "honorific", "country", "statement_count"]
    list_filter = [("country", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_ar", "name_latin", "aliases"]
    search_help_text = "Name (either script) or any alias."
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "name", "name_ar", "name_latin", "slug", "honorific", "country", "aliases", "notes",
        "created_at", "updated_at",
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
        ("series", admin.AllValuesFieldListFilter),
        ("country", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "short_name", "series", "city"]
    search_help_text = "Name, short name, series or city."
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
