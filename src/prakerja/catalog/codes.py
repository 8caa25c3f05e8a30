"""Codes of the training catalog: course types, categories."""

from __future__ import annotations

from enum import StrEnum


class CourseType(StrEnum):
    """How a course is delivered."""

    WEBINAR = "WEBINAR"
    """Live online sessions; completion needs every session attended."""
    SELF_PACED = "SELF_PACED"
    """Recorded material (one session); payable on completion."""
    OFFLINE = "OFFLINE"
    """Sessions in a classroom; payable once every session is attended."""


class Category(StrEnum):
    """Training categories, in the order the program reports them."""

    SALES_MARKETING = "SALES_MARKETING"
    """Penjualan dan Pemasaran."""
    IT = "IT"
    """Teknologi Informasi."""
    FINANCE = "FINANCE"
    """Keuangan."""
    FOREIGN_LANGUAGE = "FOREIGN_LANGUAGE"
    """Bahasa Asing."""
    LIFESTYLE = "LIFESTYLE"
    """Gaya Hidup."""
    MANAGEMENT = "MANAGEMENT"
    """Manajemen."""
    OFFICE = "OFFICE"
    """Perkantoran."""
    SOCIAL_BEHAVIOUR = "SOCIAL_BEHAVIOUR"
    """Sosial dan Perilaku."""
    FOOD_BEVERAGE = "FOOD_BEVERAGE"
    """Makanan dan Minuman."""
    AGRICULTURE = "AGRICULTURE"
    """Pertanian."""


#: How a bundle (a course of several categories) is counted in rankings.
BUNDLE = "BUNDLE"
