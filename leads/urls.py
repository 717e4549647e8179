from django.urls import path

from stations.pagecache import cached_page

from . import views

app_name = "leads"

urlpatterns = [
    path("", cached_page(views.lead_list), name="list"),
    path("export.xlsx", views.lead_export, name="export"),
    path("board/", cached_page(views.lead_board), name="board"),
    path("funnel/", cached_page(views.lead_funnel), name="funnel"),
    path("new/", views.lead_create, name="create"),
    path("duplicates/", views.lead_duplicates, name="duplicates"),
    path("major/", cached_page(views.major_report), name="major_report"),
    path("import/", views.lead_import, name="import"),
    path("import/confirm/", views.lead_import_confirm, name="import_confirm"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("meetings/", cached_page(views.meeting_list), name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("enterprises/<int:pk>/", cached_page(views.enterprise_detail), name="enterprise_detail"),
    path("contacts/", cached_page(views.contact_book), name="contacts"),
    path("visits/", cached_page(views.visit_log), name="visits"),
    path("<int:pk>/", cached_page(views.lead_detail), name="detail"),
    path("<int:pk>/edit/", views.lead_update, name="update"),
    path("<int:pk>/move/", views.lead_move, name="move"),
    path("<int:pk>/duplicate/", views.lead_resolve_duplicate, name="resolve_duplicate"),
    path("<int:pk>/reassign/", views.lead_reassign, name="reassign"),
    path("<int:pk>/investor-visits/", views.investor_visit_add, name="investor_visit_add"),
    path("<int:pk>/funds/", views.funds_add, name="funds_add"),
    path("<int:pk>/determine/", views.lead_determine, name="determine"),
    path("<int:pk>/follow-up-plan/", views.follow_up_plan, name="follow_up_plan"),
    path("<int:pk>/return-visits/", views.return_visit_add, name="return_visit_add"),
    path("<int:pk>/outcomes/", views.outcome_add, name="outcome_add"),
]
