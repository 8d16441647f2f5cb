"""English dates and numbers as the archive has always shown them: the British forms."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
