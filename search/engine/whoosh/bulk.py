"""Fast bulk writing of Whoosh segments, for ``rebuild_index``.

Whoosh's ``SegmentWriter`` puts every posting of every document into a sorting pool as a
Python tuple, spills sorted runs to disk when the pool is full and merges the runs on commit:
on the UN corpus that is most of a rebuild's time, and the memory it takes grows with the
tuples.  A rebuild adds documents in order, so the postings of a term are already sorted by
document; only the terms need sorting.  This writer keeps, per field and term, one byte buffer
with that term's postings, and writes them through the codec's own field writer when the
segment is finished.  The files are ordinary Whoosh segments: searching, incremental updates
and merging are Whoosh's own.

A segment is closed when its buffers pass ``limit_bytes``, which bounds memory.  Building in
several processes (one per core) gives one or more segments per process, listed in one table
of contents at the end (what Whoosh's ``MpWriter(multisegment=True)`` does).
"""

from __future__ import annotations

import struct
from array import array

from whoosh.formats import Existence
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# One posting in a term's buffer: document number, weight (float32: weights here are term
# frequencies, exact far beyond any speech) and the length of the value bytes that follow.
_HEAD = struct.Struct("<IfH")
# A posting of a field with ``compact_postings`` (the body): document number, then the
# position count with the top bit set when the deltas are 32-bit; the deltas follow.
_COMPACT = struct.Struct("<II")
_COMPACT_SIZE = _COMPACT.size
_WIDE = 1 << 31
_unpack_compact = _COMPACT.unpack_from
_HEAD_SIZE = _HEAD.size
_pack_head = _HEAD.pack
_unpack_head = _HEAD.unpack_from
_pack_compact = _COMPACT.pack
# A Python bytearray, its dict slot and its key cost about this much beside the data.
_TERM_OVERHEAD = 180


def _write_compact(buf, expand, add, get_length):
    offset, end = 0, len(buf)
    while offset < end:
        docnum, count = _unpack_compact(buf, offset)
        offset += _COMPACT_SIZE
        wide = count & _WIDE
        count &= ~_WIDE
        stop = offset + count * (4 if wide else 2)
        weight, vbytes = expand(count, wide, buf[offset:stop])
        add(docnum, weight, vbytes, get_length(docnum, 0))
        offset = stop


def _write_plain(buf, add, get_length):
    offset, end = 0, len(buf)
    while offset < end:
        docnum, weight, vlen = _unpack_head(buf, offset)
        offset += _HEAD_SIZE
        add(docnum, weight, bytes(buf[offset:offset + vlen]), get_length(docnum, 0))
        offset += vlen


class _NoPool:
    """Stands in for ``SegmentWriter.pool``: postings never go there."""

    def cleanup(self):
        pass


class BulkSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` for new documents only (no deletions, no merging of old ones)."""

    def __init__(self, ix, *, limit_bytes: int = 96 << 20, **kwargs):
        kwargs.setdefault("limitmb", 1)
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = _NoPool()
        self.limit_bytes = limit_bytes
        self.buffered_bytes = 0
        # fieldname -> {term bytes: postings}: for fields with ``compact_postings``, a bytearray
        # of _COMPACT heads and deltas; for fields that only record presence, an array of
        # document numbers; otherwise a bytearray of _HEAD heads and value bytes.
        self._postings: dict[str, dict[bytes, bytearray | array]] = {}
        # fieldname -> {docnum: length} for scorable fields (the codec's per-document reader
        # would answer the same, at the price of a file stat per posting)
        self._lengths: dict[str, dict[int, int]] = {}

    @property
    def full(self) -> bool:
        return self.buffered_bytes >= self.limit_bytes

    def add_document(self, **fields):
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        size = 0
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                terms = self._postings.get(fieldname)
                if terms is None:
                    terms = self._postings[fieldname] = {}
                scorable = field.scorable
                compact = getattr(field, "compact_postings", None)
                if compact is not None:
                    for tbytes, count, wide, data in compact(value):
                        length += count
                        buf = terms.get(tbytes)
                        if buf is None:
                            buf = terms[tbytes] = bytearray()
                            size += _TERM_OVERHEAD + len(tbytes)
                        buf += _pack_compact(docnum, count | _WIDE if wide else count)
                        buf += data
                        size += _COMPACT_SIZE + len(data)
                    if not scorable:
                        length = 0
                elif type(field.format) is Existence:
                    for tbytes, _freq, _weight, _vbytes in field.index(value):
                        docs = terms.get(tbytes)
                        if docs is None:
                            docs = terms[tbytes] = array("I")
                            size += _TERM_OVERHEAD + len(tbytes)
                        docs.append(docnum)
                        size += 4
                else:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        if vbytes is None:
                            vbytes = b""
                        buf = terms.get(tbytes)
                        if buf is None:
                            buf = terms[tbytes] = bytearray()
                            size += _TERM_OVERHEAD + len(tbytes)
                        buf += _pack_head(docnum, weight, len(vbytes))
                        buf += vbytes
                        size += _HEAD_SIZE + len(vbytes)
                if field.separate_spelling() or field.vector:
                    raise NotImplementedError(f"{fieldname}: spelling graphs and vectors")
                if scorable:
                    self._lengths.setdefault(fieldname, {})[docnum] = length
            stored = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
            column = field.column_type
            if column and stored is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        perdocwriter.finish_doc()
        self.buffered_bytes += size
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        fw = self.fieldwriter
        postings, self._postings = self._postings, {}
        for fieldname in sorted(postings):
            terms = postings.pop(fieldname)
            # The length the codec stores is one byte, so what it reads back is rounded.
            lengths = {
                docnum: byte_to_length(length_to_byte(length))
                for docnum, length in self._lengths.pop(fieldname, {}).items()
            }
            get_length = lengths.get
            field = self.schema[fieldname]
            fw.start_field(fieldname, field)
            add = fw.add
            expand = getattr(field, "expand_posting", None)
            boost = field.format.field_boost
            for tbytes in sorted(terms):
                postings_of_term = terms.pop(tbytes)
                fw.start_term(tbytes)
                if type(postings_of_term) is array:
                    for docnum in postings_of_term:
                        add(docnum, boost, b"", get_length(docnum, 0))
                elif expand is not None:
                    _write_compact(postings_of_term, expand, add, get_length)
                else:
                    _write_plain(postings_of_term, add, get_length)
                fw.finish_term()
            fw.finish_field()
        fw.close()

    def _finish(self):
        # Several processes write into the index's one temporary folder (the codec names it
        # after the index), so it is left for ``rebuild`` to remove at the end.
        if self.writelock:
            self.writelock.release()
        self.is_closed = True

    def finish(self):
        """Close the segment and return it, without writing a table of contents."""
        self._check_state()
        segment = self._finalize_segment() if self._added else None
        if segment is None:
            self._close_segment()
        self._finish()
        return segment
