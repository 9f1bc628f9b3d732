from django.urls import path

from . import views

app_name = "forum"

urlpatterns = [
    path("", views.question_list, name="question_list"),
    path("queue/", views.queue, name="queue"),
    path("faq/", views.faq, name="faq"),
    path("ask/", views.ask, name="ask"),
    path("similar/", views.similar, name="similar"),
    path("<int:pk>/", views.question_detail, name="question_detail"),
    path("<int:pk>/reply/", views.question_reply, name="question_reply"),
    path("<int:pk>/close/", views.question_close, name="question_close"),
    path("<int:pk>/move/", views.question_move, name="question_move"),
    path("<int:pk>/merge/", views.question_merge, name="question_merge"),
    path("<int:pk>/faq/", views.question_faq, name="question_faq"),
    path("<int:pk>/attachment/", views.question_attachment, name="question_attachment"),
]
