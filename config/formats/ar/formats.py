"""Arabic dates as Django's Arabic locale writes them; numbers grouped as Gulf ministries do.

Django's Arabic locale groups thousands with a full stop and marks decimals with a comma,
which reads 1.234 as a decimal beside the Western digits the archive's texts use; the
ministries whose releases it keeps write 1,234 in Arabic too.
"""

from django.conf.locale.ar.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
