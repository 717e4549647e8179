from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("", views.evaluation_list, name="evaluation_list"),
    path("compute/", views.evaluation_compute, name="evaluation_compute"),
    path("scores.xlsx", views.evaluation_export, name="evaluation_export"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/lines/<int:line_pk>/judge/", views.line_judge, name="line_judge"),
    path("evaluations/<int:pk>/grade/", views.evaluation_grade, name="evaluation_grade"),
    path("evaluations/<int:pk>/act/", views.evaluation_act, name="evaluation_act"),
    path("evaluations/<int:pk>/objections/<int:objection_pk>/answer/", views.objection_answer,
         name="objection_answer"),
]
