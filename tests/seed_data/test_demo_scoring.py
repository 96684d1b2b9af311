"""The scorer reads the demo organisation's agent skills back out of the generated text."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import mean

import pytest

from scoring.result import CRITERIA
from scoring.scorer import score_interaction
from seed_data.demo import generate_demo


def spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=values.__getitem__)
        result = [0.0] * len(values)
        for rank, index in enumerate(order):
            result[index] = rank
        return result

    rx, ry = ranks(xs), ranks(ys)
    mx, my = mean(rx), mean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    return cov / (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5


@pytest.fixture(scope="module")
def scored():
    organisation = generate_demo(seed=11, interactions=4000, end=date(2026, 11, 20))
    return organisation, [(i, score_interaction(i)) for i in organisation.interactions]


@pytest.mark.parametrize("criterion", CRITERIA)
def test_agents_with_more_skill_score_higher(scored, criterion):
    organisation, results = scored
    by_agent: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for interaction, result in results:
        value = result.criteria[criterion].score
        if value is not None:
            skill = organisation.employee(interaction.agent).skill(criterion, interaction.started_at.date())
            by_agent[interaction.agent].append((skill, value))
    agents = [pairs for pairs in by_agent.values() if len(pairs) >= 20]
    rho = spearman([mean(s for s, _ in pairs) for pairs in agents], [mean(v for _, v in pairs) for pairs in agents])
    assert rho > 0.3, f"{criterion}: Spearman {rho:.2f} between agent skill and score"


def test_complaints_make_apology_applicable(scored):
    _, results = scored
    complaints = [r for i, r in results if i.labels and i.labels.get("situation") in
                  {"late_birthday_order", "old_address", "misdelivered", "bounced_check", "double_charge", "vending_machine"}]
    applicable = sum(r.criteria["apologize"].applicable for r in complaints) / max(1, len(complaints))
    assert complaints and applicable >= 0.9, f"apology applicable on {applicable:.0%} of complaints"
