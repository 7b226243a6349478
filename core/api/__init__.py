"""What every endpoint of the REST API shares: the one error format, pagination, throttling and the
schema's description of errors.

Every error, whatever raised it, answers::

    {"error": {"code": "invalid", "message": "Some fields are not valid.",
               "fields": {"postcode": ["B99 9ZZ is not in the postcode table"]}}}

``code`` is stable and meant for programs (``invalid``, ``parse_error``, ``not_authenticated``,
``authentication_failed``, ``permission_denied``, ``not_found``, ``method_not_allowed``,
``not_acceptable``, ``unsupported_media_type``, ``throttled``, ``conflict``, ``server_error``);
``message`` is for people; ``fields`` maps a field (dotted for nested ones) to its problems and is
empty when no field is to blame.

Modules: ``errors`` (the format and the exception handler), ``pagination``, ``views`` (throttling
before authentication, the 404 for unknown paths), ``schema`` (error answers in the OpenAPI schema),
``filters`` (query-string validation and the area filter). Separate modules, because DRF imports the
pagination and schema classes while it is itself being imported.
"""
