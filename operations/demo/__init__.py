"""A synthetic West Midlands for demos and development: ``python manage.py seed_demo``.

Everything here is invented: people, phone numbers (the unallocated 07700 9xxxxx block, whose
first thousand numbers Ofcom reserves for drama), postcodes (real district prefixes, made-up
units placed near the district's centre) and needs. Places are real town centres so the maps look
right. Seeded, so the same seed gives the same region; idempotent, so running it twice changes
nothing.

One module per thing it builds: ``region`` (town centres, postcodes, phone numbers),
``organisations``, ``logins``, ``people`` (volunteers), ``groups`` (and their members), ``needs``,
``playbooks``; ``seed`` puts them together in ``seed_demo``.
"""
