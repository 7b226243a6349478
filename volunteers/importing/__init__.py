"""Bringing in the 2020 spreadsheets.

reading.py and rows.py are pure (no Django: fast and testable on their own); group_import.py and
volunteer_import.py do the database part; progress.py draws the bar; report.py is what a person reads.
"""
