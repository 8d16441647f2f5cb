"""The speech-text rules, on small synthetic inputs that reproduce each defect of the corpus."""

from archive.importers.names import split_name
from archive.importers.text import Vocabulary, clean_speech, decode_text

WRAPPED = (
    "We meet at a time of great change in the work of the\n"
    "Organization. Its members have asked for reform.\n"
    "A new agenda is before us, and it asks for inter-\n"
    "national cooperation and for self-\n"
    "determination of peoples.\n"
)


LONG = (
    "This sentence is long enough for a paragraph on one line, as the older sessions of "
    "the corpus have it"
)


def test_bom_crlf_cr_and_form_feeds_become_clean_paragraphs():
    raw = f"\ufeff{LONG} one.\r\n{LONG} two.\r{LONG}\fthree.".encode()
    text = decode_text(raw)
    assert not text.startswith("\ufeff")
    assert clean_speech(text) == f"{LONG} one.\n\n{LONG} two.\n\n{LONG} three."


def test_c1_controls_are_mapped_or_dropped():
    assert clean_speech("Peace \x97 and justice\x9d.") == "Peace — and justice."


def test_hard_wrapped_lines_are_joined_and_short_sentence_ends_break_paragraphs():
    body = clean_speech(WRAPPED * 3, Vocabulary(["international affairs and self-determination"]))
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("We meet at a time of great change in the work of the "
                                    "Organization. Its members have asked for reform.")
    assert "international cooperation" in body
    assert "self-determination" in body
    assert "\n" not in paragraphs[0]


def test_a_hyphen_is_kept_when_the_joined_word_is_not_attested():
    assert Vocabulary(["nothing relevant"]).join_broken_word("inter", "national") == (
        "inter-national")
    assert Vocabulary(["international"]).join_broken_word("inter", "national") == "international"
    assert Vocabulary(["self-determination"]).join_broken_word("self", "determination") == (
        "self-determination")


def test_page_numbers_and_un_page_headers_are_removed_and_broken_sentences_rejoined():
    text = "The debate continues and it\n15-29425 31/34\n\f\nA/70/PV.15 28/09/2015\nmatters.\n12\n"
    assert clean_speech(text) == "The debate continues and it matters."


def test_names_lose_honorifics_capitals_and_ocr_digits():
    cases = {
        "  Mr. GROMYKO ": ("Mr.", "Gromyko"),
        "J0ZSEF ANTALL": ("", "Jozsef Antall"),
        "Mr. CH1SSANO": ("Mr.", "Chissano"),
        "Reem Bint Ebrahim A1 Hashimy": ("", "Reem Bint Ebrahim Al Hashimy"),
        "Sheikh Ahmad Nawaf\nAl-Sabah,": ("Sheikh", "Ahmad Nawaf Al-Sabah"),
        "H.M. King FREDERIK IX": ("HM King", "Frederik IX"),
        "missing": ("", ""),
        "He Yafei": ("", "He Yafei"),
    }
    for raw, expected in cases.items():
        parsed = split_name(raw)
        assert (parsed.honorific, parsed.name) == expected, raw


def test_a_record_on_one_line_is_split_at_paragraph_numbers_that_run_in_sequence():
    sentence = "The Assembly has much to do this year and little time to do it in. " * 20
    line = (f"4. {sentence}resolution 242. Then {sentence}5. {sentence}6. {sentence}"
            f"7. {sentence}")
    paragraphs = clean_speech(line).split("\n\n")
    assert [p[:3] for p in paragraphs] == ["4. ", "5. ", "6. ", "7. "]
    assert "resolution 242. Then" in paragraphs[0]
