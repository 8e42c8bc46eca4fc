from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry


class ReviewsConfig(AppConfig):
    name = "mamori.reviews"
    label = "reviews"
    domain = Domain(
        title="定期確認",
        api_router="mamori.reviews.api:router",
        urls="mamori.web.urls_reviews",
        menu=(MenuEntry("定期確認", "review_mine", order=50),),
        demo="mamori.reviews.demo:populate",
        demo_order=40,
        home="mamori.reviews.home:waiting",
    )
