"""Long preview notes become property entries the CLI prints whole, and read back exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pulumi_deploy.core import note_lines

NOTE = st.text(alphabet=st.sampled_from("ab —;()é "), min_size=1, max_size=700).filter(
    lambda s: not s.startswith(note_lines.CONTINUED)
)


@given(notes=st.lists(NOTE, max_size=4))
def test_every_entry_fits_and_the_notes_read_back_exactly(notes):
    # when
    entries = note_lines.as_property(notes)
    # then
    assert all(len(e.encode()) <= note_lines.ENTRY_BYTES for e in entries)
    assert note_lines.joined(entries) == notes


def test_a_long_note_is_cut_between_words_and_a_short_one_is_kept_as_it_is():
    # given
    note = "changing image_name does not reach endpoints already created from this template " * 3
    # when
    entries = note_lines.entries(note)
    # then: each entry but the last ends at a space; the next carries on with a whole word
    assert note_lines.entries("short") == ["short"]
    assert len(entries) == 2
    assert entries[0].endswith("from ") and entries[1].startswith(note_lines.CONTINUED + "this template")
