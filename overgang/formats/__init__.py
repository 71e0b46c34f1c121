"""Overgang's own date and number formats per language (settings.FORMAT_MODULE_PATH).

English pages keep day-first dates (06.12.2026, 6 December 2026) and a 24-hour clock,
as the Danish ones do: Django's ``en`` formats are American (12/06/2026, "p.m."), which
a Danish municipality's English-speaking worker or citizen would misread.
"""
