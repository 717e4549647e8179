from django.urls import path

from stations.pagecache import cached_page

from . import claim_views, views

app_name = "funding"

urlpatterns = [
    path("", cached_page(views.overview), name="overview"),
    path("summary.xlsx", views.summary_export, name="summary_export"),
    path("budgets/", views.budgets_set_all, name="budgets_set_all"),
    path("team/<int:pk>/", cached_page(views.station), name="station"),
    path("team/<int:pk>/ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("team/<int:pk>/entries/new/", views.entry_new, name="entry_new"),
    path("team/<int:pk>/budget/", views.budget_set, name="budget_set"),
    path("team/<int:pk>/disburse/", views.disburse, name="disburse"),
    path("team/<int:pk>/lump-sum/", views.lump_sum, name="lump_sum"),
    path("team/<int:pk>/increase/", claim_views.increase_new, name="increase_new"),
    path("team/<int:pk>/close/", views.year_close, name="year_close"),
    path("team/<int:pk>/recovery/", views.recovery_new, name="recovery_new"),
    path("team/<int:pk>/claims/new/", claim_views.claim_new, name="claim_new"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("claims/", cached_page(claim_views.claim_list), name="claim_list"),
    path("claims/<int:pk>/", claim_views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/print/", claim_views.claim_print, name="claim_print"),
    path("claims/<int:pk>/decide/", claim_views.claim_decide, name="claim_decide"),
    path("claims/<int:pk>/override/", claim_views.claim_override, name="claim_override"),
    path("claims/<int:pk>/decline/", claim_views.claim_decline, name="claim_decline"),
    path("claims/<int:pk>/withdraw/", claim_views.claim_withdraw, name="claim_withdraw"),
    path("receipts/<int:pk>/", claim_views.receipt_file, name="receipt_file"),
    path("increases/<int:pk>/", claim_views.increase_detail, name="increase_detail"),
    path("increases/<int:pk>/decide/", claim_views.increase_decide, name="increase_decide"),
]
