from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("teams/", views.StationListView.as_view(), name="list"),
    path("teams/new/", views.StationCreateView.as_view(), name="create"),
    path("teams/roster.xlsx", views.RosterExportView.as_view(), name="roster_export"),
    path("teams/<int:pk>/", views.StationDetailView.as_view(), name="detail"),
    path("teams/<int:pk>/edit/", views.StationUpdateView.as_view(), name="update"),
    path("teams/<int:pk>/month/", views.team_month, name="team_month"),
    path("logs/today/", views.worklog_today, name="worklog_today"),
    path("logs/month/", views.worklog_month, name="worklog_month"),
    path("teams/<int:pk>/postings/new/", views.PostingCreateView.as_view(), name="posting_create"),
    path("postings/<int:pk>/edit/", views.PostingUpdateView.as_view(), name="posting_update"),
    path("postings/<int:pk>/end/", views.PostingEndView.as_view(), name="posting_end"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/new/", views.PersonFormView.as_view(), name="person_create"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonFormView.as_view(), name="person_update"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("todo/", views.TodoListView.as_view(), name="todo_list"),
    path("todo/<int:pk>/done/", views.todo_done, name="todo_done"),
    path("profiles/", views.ProfileListView.as_view(), name="profile_list"),
    path("profiles/<int:pk>/", views.ProfileDetailView.as_view(), name="profile_detail"),
]
