"""The scores of `seed_scale` (registered in ScoringConfig.ready; see `stations.scale`): this
year's evaluations under every scheme of the active profile, computed by the engine the site uses
(set-based), so the ranking board and the score sheets have a whole province to show."""

from __future__ import annotations

import datetime
import time

from django.core.exceptions import ValidationError

from stations.scale import World

from . import engine
from .boards import schemes_of_year


def seed(world: World) -> None:
    first, last = datetime.date(world.year, 1, 1), datetime.date(world.year, 12, 31)
    for scheme in schemes_of_year(world.year):
        started = time.perf_counter()
        try:
            targets = engine.targets_for(scheme, first, last)
            evaluations, _kept = engine.evaluate_all(scheme=scheme, first=first, last=last, targets=targets,
                                                     user=world.admin)
        except ValidationError as error:  # a sketch scheme with rule types the engine refuses to guess
            world.echo(f"  scores: {scheme.code} not computed ({'; '.join(error.messages)})")
            continue
        world.echo(f"  {'scores: ' + scheme.code:<34} {len(evaluations):>10,} rows "
                   f"{time.perf_counter() - started:7.1f} s")
