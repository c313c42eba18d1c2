"""What a stranger can type into a public form, as hypothesis strategies: any text (NUL bytes,
control characters, any script), huge and strange numbers, and now and then a valid value so
that the deeper paths run too."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

STRANGE = [
    "", " ", "\x00", "a\x00b", "\x1b[31m", "\u202e", "\ufeff", "1e30", "-1e30", "1e999999",
    "-1e-999999", "NaN", "sNaN", "Infinity", "-0", "0x10", "9" * 5000, "١٢٣", "¼", "$5,0.00",
    "50", "0", "-1", "2147483648", "99999999999999999999", "'; DROP TABLE x; --", "<script>",
    "a" * 100_000,
]  # fmt: skip

junk = st.one_of(
    st.text(max_size=200),
    st.sampled_from(STRANGE),
    st.integers().map(str),
    st.floats().map(str),
    st.decimals().map(str),
)


def field(*valid: str):
    """A form field's value: mostly junk, sometimes one of ``valid``."""
    return st.one_of(st.sampled_from(valid), junk) if valid else junk


def form(**fields):
    """A POST body: any subset of the fields, each with its strategy."""
    return st.fixed_dictionaries({}, optional=fields)


# Every example is a real request on the test database: fewer, slower examples than
# hypothesis likes, and the database fixture is per test, not per example (each example
# checks what it changed itself).
public_form_settings = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
