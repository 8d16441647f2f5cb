"""Query inputs beyond haystack's own, shared by every engine's compiler.

``SQ(content=Typed("water"))``: a plain word of the query box (see ``Typed``).

``SQ(content=Near("border security", 5))``: the words of the text near each other (each
within ``slop`` further words of the one before it), in any order: what the query language's
``"..."~N`` asks for.  An engine that cannot do it treats it as all the words.
"""

from __future__ import annotations

from haystack.inputs import BaseInput


class Near(BaseInput):
    input_type_name = "near"

    def __init__(self, query_string: str, slop: int, **kwargs):
        super().__init__(query_string, **kwargs)
        self.slop = int(slop)


class Typed(BaseInput):
    """A plain word of the query box, as typed.  An input object rather than a string so
    that a repeated word keeps its place: haystack drops a condition equal to one already in
    the tree, and "what we need to do to ensure" needs both "to"s for the engines' phrase
    boost.  Engines read it as they read a string: ``str(value.query_string)``."""

    input_type_name = "typed"

    def __repr__(self):
        return f"<Typed {self.query_string!r}>"
