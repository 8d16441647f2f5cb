"""URL converters of the archive's paths."""

from django.urls import register_converter


class YearConverter:
    """Exactly four digits, so /years/22/ and /years/20222/ are 404s rather than odd years."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


class CountryCodeConverter:
    """Two or three letters in either case; the view looks the code up in upper case."""

    regex = "[A-Za-z]{2,3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class UnicodeSlugConverter:
    """A slug in any script (``archive.slugs``): letters, digits, "-" and "_".

    Django's ``<slug:>`` is ASCII only, so an Arabic slug would be a 404.  ``\\w`` here is
    Unicode's: Arabic, Cyrillic or CJK letters and digits, never "/", "." or spaces.
    """

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(YearConverter, "yyyy")
register_converter(CountryCodeConverter, "country_code")
register_converter(UnicodeSlugConverter, "uslug")
