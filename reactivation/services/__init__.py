"""Writes for reactivation, one module by job: ``playbooks``, ``planning`` (who a campaign would
text; it never writes), ``campaign_lifecycle``, ``campaign_sending``, ``readiness`` and
``replies``. Import a function from the module that holds it."""
