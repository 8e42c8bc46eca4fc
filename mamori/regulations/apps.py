from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry


class RegulationsConfig(AppConfig):
    name = "mamori.regulations"
    label = "regulations"
    domain = Domain(title="規程", menu=(MenuEntry("規程", "regulations", order=120),))
