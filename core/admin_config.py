"""django.contrib.admin with the staff sign-in (core.signin.AdminSite) as its default site: the
admin's login is throttled like /login/ and asks for the two-factor code after the password.
Its own module, because INSTALLED_APPS imports it before any model may be imported."""

from django.contrib.admin.apps import AdminConfig


class RekindleAdminConfig(AdminConfig):
    default_site = "core.signin.AdminSite"
