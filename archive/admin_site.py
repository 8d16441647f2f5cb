"""The project's admin site: Django's, with autocomplete answers that can say more than a name.

A model admin that defines ``autocomplete_label(obj)`` has its records offered under that
label in every autocomplete that points to it, so that an editor choosing an event sees
"Sample Water Dialogue — 22–23 March 2021, Geneva, Switzerland" and can tell one year's
meeting from the next.  Installed as the default site by ``ArchiveAdminConfig`` (settings).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


class ArchiveAdminSite(admin.AdminSite):
    site_header = "Diplomatic Statements Archive"
    site_title = "Archive admin"
    index_title = "Archive data entry"
    # The lists need the width (a statement list has six columns beside its filters); the
    # index page and the breadcrumbs lead everywhere the sidebar did.
    enable_nav_sidebar = False

    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)


class ArchiveAdminConfig(AdminConfig):
    default_site = "archive.admin_site.ArchiveAdminSite"
