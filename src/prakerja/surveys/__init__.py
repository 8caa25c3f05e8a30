"""Tracking surveys: answers, their windows, and the program's outcome statistics."""
