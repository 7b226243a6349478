"""Reads for reactivation, one module by job: ``playbooks``, ``campaigns`` (lists, progress,
figures, reply rates) and ``register`` (the register's freshness and coverage gaps). No writes
here: see reactivation/services/. Import a function from the module that holds it."""
