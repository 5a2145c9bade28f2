"""The verdicts' colours and plain words, the same in the app's charts and in the PDF report."""

from __future__ import annotations

from vision.core.types import VERDICTS

__all__ = ["SEVERITY", "UNSURE_WORDS", "VERDICT_COLOURS", "VERDICT_WORDS", "verdict_words"]

#: Colour of each verdict name, the same everywhere: ok green; flags about where or which way (the
#: serious ones) in reds; flags about tempo, timing and form in ambers and oranges.
VERDICT_COLOURS: dict[str, str] = {
    "ok": "#43a047",
    "wrong_direction": "#d62728",
    "on_spine": "#8e0000",
    "off_back": "#e8574a",
    "same_side": "#b23a48",
    "outside_lane": "#f0a202",
    "too_fast": "#fb8c00",
    "too_slow": "#ffc94d",
    "hold_too_short": "#e67300",
    "hold_too_long": "#ffb74d",
    "not_circular": "#d98c00",
    "one_hand_missing": "#a1887f",
    "jerky": "#ff7043",
}

#: Each verdict in a few plain words, for a reader who does not know the names.
VERDICT_WORDS: dict[str, str] = {
    "ok": "fine",
    "wrong_direction": "wrong direction",
    "on_spine": "on the spine",
    "off_back": "off the back",
    "same_side": "both hands on one side",
    "outside_lane": "outside its lane",
    "too_fast": "too fast",
    "too_slow": "too slow",
    "hold_too_short": "hold too short",
    "hold_too_long": "hold too long",
    "not_circular": "not circular",
    "one_hand_missing": "one hand missing",
    "jerky": "jerky",
}

#: How serious a flag is, for choosing the worst moments: where and which way first (pressing on the
#: spine can hurt), then tempo, timing and form.
SEVERITY: dict[str, int] = {
    "ok": 0,
    "on_spine": 5,
    "wrong_direction": 4,
    "off_back": 4,
    "same_side": 3,
    "outside_lane": 3,
    "too_fast": 2,
    "jerky": 2,
    "hold_too_short": 2,
    "not_circular": 2,
    "too_slow": 1,
    "hold_too_long": 1,
    "one_hand_missing": 1,
}

#: Why the hands were not judged (report.json's unsure reasons), in words.
UNSURE_WORDS: dict[str, str] = {
    "dark": "too dark",
    "out_of_view": "out of the picture",
    "small": "too small in the picture",
    "seen_poorly": "kept disappearing",
}

for _table in (VERDICT_COLOURS, VERDICT_WORDS, SEVERITY):
    assert set(_table) == set(VERDICTS), "every verdict needs its colour, words and severity"


def verdict_words(name: str) -> str:
    """A verdict name in plain words (the name itself, underscores as spaces, if unknown)."""
    return VERDICT_WORDS.get(name, name.replace("_", " "))
