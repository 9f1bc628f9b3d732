from django.urls import path

from . import views

app_name = "datacollection"

urlpatterns = [
    path("", views.collection_list, name="collection_list"),
    path("<int:collection_pk>/fill/", views.collection_fill, name="collection_fill"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/cells/", views.report_autosave, name="report_autosave"),
    path("reports/<int:pk>/rows/add/", views.report_row_add, name="report_row_add"),
    path("reports/<int:pk>/rows/remove/", views.report_row_remove, name="report_row_remove"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("submissions/<int:pk>/receipt/", views.submission_receipt, name="submission_receipt"),
    path("reports/<int:pk>/template.xlsx", views.report_template, name="report_template"),
    path("reports/<int:pk>/import/", views.report_excel_import, name="report_excel_import"),
    path("reports/<int:pk>/files/upload/", views.report_file_upload, name="report_file_upload"),
    path("reports/<int:pk>/files/remove/", views.report_file_remove, name="report_file_remove"),
    path(
        "reports/<int:pk>/files/<slug:table>/<slug:row>/<slug:column>/",
        views.report_file_download,
        name="report_file_download",
    ),
]
