from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from archive import page_parts

        from . import passages, receivers

        receivers.connect()
        # The statement page's text, with the words of the search that led there marked.
        page_parts.set_text_renderer(passages.statement_text)
