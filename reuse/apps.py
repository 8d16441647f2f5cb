from django.apps import AppConfig


class ReuseConfig(AppConfig):
    name = "reuse"
    verbose_name = "Agreed language"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from archive import page_parts

        from . import receivers, selectors

        receivers.connect()
        # The statement page: the passages shaded in the text, and their list after it.
        page_parts.add_regions(selectors.regions_for)
        page_parts.add_section(selectors.passages_section)
