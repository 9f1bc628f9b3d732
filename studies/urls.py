from django.urls import path

from .views import coordinator, distribution, school

app_name = "studies"

urlpatterns = [
    path("<int:study_pk>/", school.school_study, name="school_study"),
    path("<int:study_pk>/checklist/<slug:item>/", school.checklist_tick, name="checklist_tick"),
    path(
        "<int:study_pk>/checklist/<slug:item>/file/", school.checklist_file, name="checklist_file"
    ),
    path("<int:study_pk>/participants/", school.participants, name="participants"),
    path("<int:study_pk>/participants/print/", school.codes_print, name="codes_print"),
    path("<int:study_pk>/rooms/", school.rooms, name="rooms"),
    path("<int:study_pk>/rooms/assign/", distribution.rooms_assign, name="rooms_assign"),
    path("rooms/<int:pk>/list/", school.room_list, name="room_list"),
    path("rooms/<int:pk>/list.xlsx", school.room_list_xlsx, name="room_list_xlsx"),
    path("rooms/<int:pk>/protocol/", school.room_protocol, name="room_protocol"),
    path("rooms/<int:pk>/protocol/scan/", school.room_protocol_scan, name="room_protocol_scan"),
    path("<int:study_pk>/readiness/", coordinator.grid, name="grid"),
    path("<int:study_pk>/readiness.xlsx", coordinator.grid_xlsx, name="grid_xlsx"),
    path("<int:study_pk>/readiness/remind/", coordinator.grid_remind, name="grid_remind"),
]
