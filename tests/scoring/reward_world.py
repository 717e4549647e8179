"""A reward for the permission matrix: an individual award to staff_a, proposed by the bureau."""

from decimal import Decimal

from django.utils import timezone


def furnish_rewards(world):
    from scoring.rewards import award_propose

    world.reward = award_propose(user=world.users["bureau"], year=timezone.localdate().year, kind="individual",
                                 amount=Decimal("2000"), explanation="年度招商先进个人",
                                 recipient_person=world.person("staff_a"))
