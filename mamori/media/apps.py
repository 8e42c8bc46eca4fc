from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec


class MediaConfig(AppConfig):
    name = "mamori.media"
    label = "media"
    verbose_name = "記録媒体"
    domain = Domain(
        title="記録媒体",
        api_router="mamori.media.register:router",
        api_prefix="/media",
        urls="mamori.media.urls",
        url_prefix="media/",
        menu=(MenuEntry("記録媒体", "media:ledger", perm="media.view", needs=("media",)),),
        demo="mamori.media.demo:populate",
        retention_classes=(RetentionClassSpec("media", "記録媒体の記録", "登録・履歴・持出し・廃棄"),),
        pack_section="mamori.media.pack:MediaSection",
    )
