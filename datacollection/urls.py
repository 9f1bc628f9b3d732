from django.urls import path

from . import views

app_name = "datacollection"

urlpatterns = [
    path("", views.collection_list, name="collection_list"),
]
