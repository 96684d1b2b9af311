"""Text formats shared by pages."""

from ui.formatting import duration


def test_duration_reads_like_a_person_would_say_it():
    assert [duration(s) for s in (0, 45, 60, 185, 3600, 7800, 86_400, 93_600, 44.6)] == [
        "0 s", "45 s", "1 min", "3 min 5 s", "1 h", "2 h 10 min", "1 d", "1 d 2 h", "45 s"]
