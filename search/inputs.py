"""Query inputs beyond haystack's own, shared by every engine's compiler.

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
