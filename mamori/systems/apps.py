from django.apps import AppConfig


class SystemsConfig(AppConfig):
    """The systems register (情報システム台帳): the business systems, each one's privileges catalogue
    and the maintenance contracts that cover them.  Access (the management file), credentials,
    reviews, designations and terminals refer to it; it knows none of them.  It owns no routes: the
    register's screens and API still live with the management file (mamori.access), so it declares
    no ``domain``."""

    name = "mamori.systems"
    label = "systems"
    verbose_name = "情報システム台帳"
