"""Prakerja: runs a training-voucher and cash-incentive program and reconciles it daily."""

__version__ = "0.1.0"
