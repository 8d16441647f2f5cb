from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "research"
    verbose_name = "Research tools"

    def ready(self):
        from . import receivers

        receivers.connect()
