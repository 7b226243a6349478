"""The geographic matcher.

``ranking`` is pure Python (no Django): the candidate rules, the order and the explanations.
``candidates`` reads the database: the ring search over the multi-level cells.
"""
