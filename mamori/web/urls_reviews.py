"""Screens of the reviews domain (views in mamori/web/views/reviews.py)."""

from django.urls import path

from .views import reviews

urlpatterns = [
    path("", reviews.review_list, name="reviews"),
    path("new/", reviews.review_launch, name="review_launch"),
    path("mine/", reviews.review_mine, name="review_mine"),
    path("<int:pk>/", reviews.review_detail, name="review_detail"),
    path("<int:pk>/confirm/", reviews.review_bulk_confirm, name="review_bulk_confirm"),
    path("<int:pk>/close/", reviews.review_close, name="review_close"),
    path("<int:pk>/export/<str:fmt>/", reviews.review_export, name="review_export"),
    path("lines/<int:pk>/decide/", reviews.review_line_decide, name="review_line_decide"),
]
