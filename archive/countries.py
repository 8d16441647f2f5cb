"""The countries the archive knows: current ISO 3166-1 codes plus historical and organisation codes.

Current States come from pycountry (its common name where it has one, e.g. "Bolivia" rather
than "Bolivia, Plurinational State of").  Historical States and organisations are listed here
with the names an archivist would expect; pycountry's formal historic names read poorly.
"""

from __future__ import annotations

import pycountry

# code -> (name, historical)
EXTRA_CODES: dict[str, tuple[str, bool]] = {
    "EU": ("European Union", False),
    "CSK": ("Czechoslovakia", True),
    "DDR": ("German Democratic Republic", True),
    "YMD": ("Yemen, People's Democratic Republic of (South Yemen)", True),
    "YUG": ("Yugoslavia", True),
    "SUN": ("Union of Soviet Socialist Republics", True),
    "SCG": ("Serbia and Montenegro", True),
    "ZAR": ("Zaire", True),
    "BUR": ("Burma", True),
    "DHY": ("Dahomey", True),
    "HVO": ("Upper Volta", True),
    "RHO": ("Southern Rhodesia", True),
    "TMP": ("East Timor", True),
    "VDR": ("Viet-Nam, Democratic Republic of", True),
    "ANT": ("Netherlands Antilles", True),
    "BYS": ("Byelorussian Soviet Socialist Republic", True),
    "SKM": ("Sikkim", True),
}


def country_rows() -> list[tuple[str, str, bool]]:
    """(code, name, historical) for every code, sorted by code."""
    rows = {
        c.alpha_3: (getattr(c, "common_name", None) or c.name, False)
        for c in pycountry.countries
    }
    rows.update(EXTRA_CODES)
    return sorted((code, name, historical) for code, (name, historical) in rows.items())
