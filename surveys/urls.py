from django.urls import path

from .views import respondent, school

app_name = "surveys"

urlpatterns = [
    path("", school.questionnaire_list, name="questionnaire_list"),
    path("<int:pk>/", school.school_detail, name="school_detail"),
    path("<int:pk>/codes/", school.codes_issue, name="codes_issue"),
    path("<int:pk>/codes/print/", school.codes_print, name="codes_print"),
    path("<int:pk>/summary/", school.summary, name="summary"),
    path("<int:pk>/completion/", school.completion, name="completion"),
    path("<int:pk>/remind/", school.remind, name="remind"),
    path("study/<int:study_pk>/remind/", school.study_remind, name="study_remind"),
    path("<int:pk>/export/", school.export_start, name="export_start"),
    path("exports/<int:pk>/", school.export_detail, name="export_detail"),
    path("exports/<int:pk>/retry/", school.export_retry, name="export_retry"),
    path("exports/<int:pk>/download/", school.export_download, name="export_download"),
    # Public: respondents have no account (each view is marked login_not_required).
    path("answer/", respondent.enter, name="enter"),
    path("answer/done/", respondent.done, name="done"),
    path("answer/leave/", respondent.leave, name="leave"),
    path("answer/<int:questionnaire_pk>/<int:number>/", respondent.section, name="section"),
    path(
        "answer/<int:questionnaire_pk>/<int:number>/autosave/",
        respondent.autosave,
        name="autosave",
    ),
]
