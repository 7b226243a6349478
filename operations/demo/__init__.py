"""A synthetic West Midlands for demos and development: ``python manage.py seed_demo``.

Everything here is invented: people, phone numbers (the unallocated 07700 9xxxxx block, whose
first thousand numbers Ofcom reserves for drama) and needs. Places are real: people and needs sit
at real postcodes (the shipped OS Code-Point Open file, volunteers/data/) around real town centres,
so that anyone trying the demo can type a postcode they know. Seeded, so the same seed gives the same region; idempotent, so running it twice changes
nothing.

One module per thing it builds: ``region`` (town centres, postcodes, phone numbers),
``organisations``, ``logins``, ``people`` (volunteers), ``groups`` (and their members), ``needs``,
``playbooks``; ``seed`` puts them together in ``seed_demo``.
"""
