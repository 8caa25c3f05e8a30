"""Long work that is not drawn in a terminal still says how far it is, in plain lines."""

import io

from prakerja.kit.progress import LineReporter


def test_a_phase_is_named_and_each_tenth_said_once():
    stream = io.StringIO()
    reporter = LineReporter(stream=stream)
    reporter.start("running the program day by day", 20)
    for _ in range(20):
        reporter.advance(1)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "running the program day by day (20)"
    assert lines[1:] == [f"running the program day by day: {n * 10}%" for n in range(1, 11)]


def test_notes_are_shown_only_when_asked():
    quiet, loud = io.StringIO(), io.StringIO()
    LineReporter(stream=quiet).note("a.csv: loaded=1")
    LineReporter(stream=loud, show_notes=True).note("a.csv: loaded=1")
    assert (quiet.getvalue(), loud.getvalue()) == ("", "a.csv: loaded=1\n")


def test_big_phases_write_thousands_with_dots():
    stream = io.StringIO()
    LineReporter(stream=stream).start("storing registrations", 1_250_000)
    assert stream.getvalue() == "storing registrations (1.250.000)\n"
