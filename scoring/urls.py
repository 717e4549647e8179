from django.urls import path

from stations.pagecache import cached_page

from . import feedback_views, finding_views, reward_views, views

app_name = "scoring"

urlpatterns = [
    path("", cached_page(views.evaluation_list), name="evaluation_list"),
    path("compute/", views.evaluation_compute, name="evaluation_compute"),
    path("scores.xlsx", views.evaluation_export, name="evaluation_export"),
    path("evaluations/<int:pk>/", cached_page(views.evaluation_detail), name="evaluation_detail"),
    path("evaluations/<int:pk>/lines/<int:line_pk>/judge/", views.line_judge, name="line_judge"),
    path("evaluations/<int:pk>/grade/", views.evaluation_grade, name="evaluation_grade"),
    path("evaluations/<int:pk>/act/", views.evaluation_act, name="evaluation_act"),
    path("evaluations/<int:pk>/objections/<int:objection_pk>/answer/", views.objection_answer,
         name="objection_answer"),
    path("evaluations/<int:pk>/feedback/", feedback_views.evaluation_feedback, name="evaluation_feedback"),
    path("feedback.xlsx", feedback_views.feedback_export, name="feedback_export"),
    path("findings/", cached_page(finding_views.finding_list), name="finding_list"),
    path("findings/new/", finding_views.finding_create, name="finding_create"),
    path("findings/<int:pk>/", finding_views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/withdraw/", finding_views.finding_withdraw, name="finding_withdraw"),
    # Rewards and penalties (issue #5 item 6).
    path("rewards/", cached_page(reward_views.reward_list), name="reward_list"),
    path("rewards/compute/", reward_views.reward_compute, name="reward_compute"),
    path("rewards/pay/", reward_views.reward_pay, name="reward_pay"),
    path("rewards/awards/new/", reward_views.award_propose, name="award_propose"),
    path("rewards/<int:pk>/", reward_views.reward_detail, name="reward_detail"),
    path("rewards/<int:pk>/advance/", reward_views.reward_advance, name="reward_advance"),
    path("rewards/<int:pk>/claw-back/", reward_views.reward_claw_back, name="reward_claw_back"),
    path("rewards/<int:pk>/settlement/", reward_views.reward_settlement, name="reward_settlement"),
    path("rewards.xlsx", reward_views.reward_export, name="reward_export"),
    path("penalties.xlsx", reward_views.penalty_export, name="penalty_export"),
]
