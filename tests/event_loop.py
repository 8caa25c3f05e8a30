"""Run a coroutine to completion from a test, whatever the test's thread already runs."""

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_coroutine(coroutine):
    """`asyncio.run` on a thread of its own.

    The `browser` fixture's Playwright (sync API) keeps an event loop running on
    the main thread for the whole session, where `asyncio.run` would refuse.
    """
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
