from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "mamori.reviews"
    label = "reviews"
