"""Writes for needs and offers, one module per job.

- ``posting``: post a need (validate, locate, save with a REF unique among open needs).
- ``offers``: offer a need to the best volunteers, top up, withdraw, decline, expire.
- ``claim``: a volunteer's accept, the one conditional UPDATE that decides who helps.
- ``lifecycle``: a coordinator's moves on a need: cancel, mark done, seen, re-confirm.
- ``followups``: ask the volunteer "is it done?" and alert the coordinators when unanswered.
- ``attention``: show a coordinator what needs their attention, recording any phones shown.
"""
