import pytest

from archive.models import Country

pytestmark = pytest.mark.django_db


def test_countries_are_seeded_with_historical_and_eu_codes():
    assert Country.objects.get(code="QAT").name == "Qatar"
    assert Country.objects.get(code="YUG").historical is True
    assert Country.objects.get(code="EU").historical is False
