from django.apps import AppConfig


class RegistersConfig(AppConfig):
    """The register layer (issue 9 item 1): an abstract register row, a column spec, and the generic
    services, API router, screens and exports every register (台帳) derives from them."""

    name = "mamori.registers"
    label = "registers"
    verbose_name = "台帳"
