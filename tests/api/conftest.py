"""The API tests drive the marketplace test program (cards and catalog) over HTTP."""

from tests.transactions.conftest import program  # noqa: F401 - the shared fixture
