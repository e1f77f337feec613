"""Parameter uncertainty in comparisons, and what decides each answer.

**Paired draws.** With a calibration posterior, member ``r`` of *every* scenario runs with
parameter set ``r`` resampled from the posterior (seeded by the base seed) and with the
random numbers of replicate ``r`` (``member_seed(base_seed, r)``): a paired difference then
holds the calibrated parameters and the weather fixed and measures the policy alone, while
the spread of the differences over members carries the parameters' uncertainty. The
policies' own assumptions (``Policy.assumptions``: an option and the range it is assumed to
lie in) are drawn with them over their ranges, their stated values the medians of the draws
(half uniform below, half above: :meth:`Assumption.value`; each a Latin hypercube column
over the members from a stream keyed by the base seed and the assumption's key, so that a
pair's draws do not depend on the other scenarios compared):
``policy.<policy name>.<option>``. A scenario without that policy ignores its assumptions,
and a policy whose window lies outside the period has none drawn. The draws depend on the
base seed, the number of members and the assumptions' keys only,
so the same call gives the same bits whatever the executor.

**What decides the answer.** For every paired difference, the share of its variance due to
each uncertain input is its first-order Sobol index, estimated from the members themselves
(the inputs each member drew and its difference; no extra runs) by RBD-FAST in SALib, which
works on any sample of the inputs (Plischke 2010, "An effective algorithm for computing
global sensitivity indices (EASI)", Reliab. Eng. Syst. Saf. 95:354–360; with the bias
correction of Tissot & Prieur 2012). What the inputs' first-order shares leave is put to
"weather and chance" (the replicate's random numbers) and to interactions between inputs.
Posterior draws are correlated (the calibration constrains combinations of parameters): a
share is then the variance explained by that input *with whatever moves with it*, and the
shares may not add up to one.

**Told from noise.** With few members RBD-FAST gives large shares to inputs that do nothing
(on a pure-noise difference with 30 inputs, the largest share is 100% at 14 members, about
35% at 50 and 8% at 200). So each share carries SALib's bootstrap 95% half-width
(``share_conf``) and is compared with the *noise level*: the 95th percentile, over 100
permutations of the difference (seeded, so deterministic), of the largest share any input gets
by the same estimator on the same inputs — what pure noise gives at that run count. An input
is told from noise when its share's lower bound (``share_low``) exceeds the noise level; the
headline names it only if its share also exceeds one half. Below the run count at which pure
noise stays under a quarter for that many inputs (:func:`runs_needed`: an input explaining more
than half is told from noise there), no share is shown; with that many runs, a difference
none of whose shares is told from noise says so (``told_from_noise`` false, ``enough_runs``
true).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import math
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from channelsim.engine import SimResult, SimSpec
    from channelsim.engine.policy import Policy
    from channelsim.scenario import Scenario

PREFIX = "policy."
CHANCE = "weather and chance"
#: Harmonics summed by RBD-FAST (SALib's default is 10; fewer keep its bias small for the
#: few hundred members of a comparison).
HARMONICS = 6
#: A driver is named in the headline when its share of the variance exceeds this.
HEADLINE_SHARE = 0.5
#: Members needed for the shares: RBD-FAST's harmonics need more points than this.
MIN_MEMBERS = 2 * HARMONICS + 2
#: Permutations of a difference on which the shares of pure noise are measured.
NOISE_PERMUTATIONS = 100
#: The noise level: this quantile, over the permutations, of the largest share of any input.
NOISE_QUANTILE = 0.95
#: The runs advised (:func:`runs_needed`) keep pure noise under this share: an input that
#: explains more than :data:`HEADLINE_SHARE` is then told from noise unless its own 95%
#: half-width exceeds the difference (a quarter of the variance).
NEEDED_NOISE = HEADLINE_SHARE / 2
#: Synthetic samples of the inputs on which :func:`runs_needed` measures the noise (it
#: varies with the sample: at the count where one sample's noise fell under one half,
#: others gave 45-58%).
NEEDED_SAMPLES = 8


@dataclasses.dataclass(frozen=True)
class Assumption:
    """One option of one policy of a scenario, assumed to lie in ``[low, high]``."""

    policy: str  # the policy's name in the run ("maritime_doctrine#0" or its given name)
    option: str
    low: float
    high: float
    integer: bool
    stated: float = math.nan  # the value the scenario gives it (its default unless set)

    @property
    def key(self) -> str:
        return f"{PREFIX}{self.policy}.{self.option}"

    def value(self, unit: float) -> float | int:
        """The option's value at a position ``unit`` in [0, 1] of its draws: a number is
        drawn with its stated value as the median, half the draws uniform from ``low`` to
        it and half from it to ``high`` (all at ``low`` in the lower half when the stated
        value is ``low``); uniform on the range when none is stated. Uniform on a lopsided
        range moved the answer off the stated one (the doctrine's capsize risk, stated 0.005
        in 0.001–0.03, drawn at 0.0155 on average, nearly quadrupled the deaths; a removal's
        deterrence, stated 0, gave an interval without "no change"; s12 U4). An integer
        option takes each whole value of its range equally often."""
        if self.integer:
            return min(int(self.high), math.floor(self.low + unit * (self.high - self.low + 1)))
        if math.isnan(self.stated):
            return self.low + unit * (self.high - self.low)
        median = min(max(self.stated, self.low), self.high)
        if unit < 0.5:
            return self.low + 2.0 * unit * (median - self.low)
        return median + (2.0 * unit - 1.0) * (self.high - median)


def scenario_assumptions(scenario: Scenario, *, acting: bool = False) -> list[Assumption]:
    """The assumptions of every policy that acts in ``scenario``'s period (each class's
    ``assumptions``): a policy whose window lies outside the period (Rwanda's, ended in
    July 2024, in a 2025 run) decides nothing, and drawing it would only add noise. With
    ``acting``, only those of policies that can change a result in the period
    (``Policy.acts_between``: one in, one out before its first return cannot); without it,
    those a comparison draws (by the window alone, so that the draws stay as they were)."""
    from channelsim.engine.policy import build_policies, name_policies

    policies = build_policies(scenario.policies, scenario.policy_location)
    found = []
    for policy, name in zip(policies, name_policies(policies), strict=True):
        if not _acts_between(policy, scenario.start, scenario.end):
            continue
        if acting and not policy.acts_between(scenario.start, scenario.end):
            continue
        for option, (low, high) in policy.acting_assumptions().items():
            default = type(policy).model_fields[option].default
            integer = isinstance(default, int) and not isinstance(default, bool)
            stated = float(getattr(policy, option))
            found.append(Assumption(name, option, float(low), float(high), integer, stated))
    return found


def _acts_between(policy: Any, first: dt.date, last: dt.date) -> bool:
    """Whether ``policy``'s window (inclusive, open ends) meets the days first..last."""
    return (policy.start is None or policy.start <= last) and (
        policy.end is None or policy.end >= first
    )


def _named_policies(scenario: Scenario) -> dict[str, Policy]:
    """Each policy of ``scenario``, built, by its name in the run."""
    from channelsim.engine.policy import build_policies, name_policies

    policies = build_policies(scenario.policies, scenario.policy_location)
    return dict(zip(name_policies(policies), policies, strict=True))


def _acts(policy: Policy) -> str:
    """What a policy does (type, window and every option after defaults), so that a file
    that writes the same policy differently (its source text, a default spelled out, a date
    as text) is the same policy."""
    return repr((type(policy).__name__, sorted(policy.model_dump().items())))


def changed_policies(scenario: Scenario, base: Scenario) -> tuple[set[str], set[str]]:
    """The names of the policies ``scenario`` adds or changes against ``base`` (its policies
    that the base does not have, or has acting differently), and of the base's policies it
    lacks (removed, or changed: taking one away measures what the base assumed it did)."""
    mine, theirs = _named_policies(scenario), _named_policies(base)
    mine_acts, theirs_acts = {_acts(p) for p in mine.values()}, {_acts(p) for p in theirs.values()}
    added = {name for name, policy in mine.items() if _acts(policy) not in theirs_acts}
    removed = {name for name, policy in theirs.items() if _acts(policy) not in mine_acts}
    return added, removed


def changed_assumptions(scenario: Scenario, base: Scenario) -> list[Assumption]:
    """The assumptions of the policies ``scenario`` adds, changes or removes against ``base``
    (:func:`changed_policies`) that can act in the period, at their stated values: its
    own, then the base's not already named (one in, one out's deterrence, say)."""
    added, removed = changed_policies(scenario, base)
    found = [a for a in scenario_assumptions(scenario, acting=True) if a.policy in added]
    named = {a.key for a in found}
    return found + [
        a
        for a in scenario_assumptions(base, acting=True)
        if a.policy in removed and a.key not in named
    ]


def outside_period(scenario: Scenario, base: Scenario) -> dict[str, Any]:
    """The policies ``scenario`` changes against ``base`` (:func:`changed_policies`) that
    cannot change any result in its period (``Policy.acts_between``): ``policies``, each
    once, with ``policy`` (its name in the run), ``label`` (in words), ``acts_from`` and
    ``acts_to`` (ISO dates or ``None``), ``base`` (True for a policy of the base that the
    scenario replaces or drops) and ``text``, what it does when against the period ("one in
    one out makes its first return on 18 Sep 2025, after the period ends on 31 Aug 2025");
    and ``text``, the sentence saying so (:func:`idle_sentence`), or ``None``."""
    added, removed = changed_policies(scenario, base)
    mine, theirs = _named_policies(scenario), _named_policies(base)
    replaced = {p.replaces for p in scenario.policies if p.replaces}
    changed = [(n, mine[n], _policy_words(n), "") for n in sorted(added)] + [
        (n, theirs[n], _policy_words(n), "")
        if n in added
        else (n, theirs[n], f"the base's {_policy_words(n)}", _how_taken(n, replaced))
        for n in sorted(removed)
    ]  # a policy changed in place is said once (when both its versions cannot act)
    acts = {id(p): p.acts_between(scenario.start, scenario.end) for _, p, _, _ in changed}
    in_place_acting = {n for n in added & removed if acts[id(mine[n])]}
    idle = [c for c in changed if not acts[id(c[1])] and c[0] not in in_place_acting]
    found = _idle_records(idle, scenario.start, scenario.end)
    return {"policies": found, "text": idle_sentence(found, every=len(idle) == len(changed))}


def _how_taken(name: str, replaced: set[str]) -> str:
    """How a scenario takes the base's policy ``name`` away, in words."""
    return "which this scenario replaces" if name in replaced else "which this scenario drops"


def _idle_records(
    idle: Sequence[tuple[str, Policy, str, str]], first: dt.date, last: dt.date
) -> list[dict[str, Any]]:
    """:func:`outside_period`'s ``policies`` for the ``idle`` policies (name, policy, label,
    and for a base's policy the scenario takes away, how: "which this scenario replaces")."""
    found: dict[str, dict[str, Any]] = {}
    for name, policy, label, taken in idle:
        begin, end = policy.acting_window()
        starts = "" if begin is None else f"{policy.acting_from_words()} on {begin:%-d %b %Y}"
        said = f"{label}, {taken}," if taken else label
        if begin is not None and begin > last:
            text = f"{said} {starts}, after the period ends on {last:%-d %b %Y}"
        elif end is not None and end < first:
            text = f"{said} ends on {end:%-d %b %Y}, before the period starts on {first:%-d %b %Y}"
        else:  # a window that closes before the policy's own first day
            text = f"{said} ends on {end:%-d %b %Y}, before it {starts}"
        found.setdefault(text, {
            "policy": name, "label": label, "text": text, "base": bool(taken),
            "acts_from": None if begin is None else begin.isoformat(),
            "acts_to": None if end is None else end.isoformat(),
        })  # fmt: skip
    return list(found.values())


def idle_sentence(idle: Sequence[Mapping[str, Any]], every: bool) -> str | None:
    """Why a comparison reads "no change" where a policy cannot act in its period
    (:func:`outside_period`'s ``policies``): ``every`` when no policy the scenario changes
    can act, and the comparison then measures nothing of it. A policy of the scenario's own
    that cannot act is part of what it changes that is missing; one of the base's that the
    scenario takes away is said on its own: what the scenario is measured against lacks it."""
    if not idle:
        return None
    if every:
        said = "; ".join(str(i["text"]) for i in idle)
        return (
            f"Nothing this scenario changes can act in the period, so no change is what it "
            f"must show: {said}. A period that reaches it would measure the policy."
        )
    own = [str(i["text"]) for i in idle if not i.get("base")]
    taken = [str(i["text"]) for i in idle if i.get("base")]
    sentences = []
    if own:
        sentences.append(f"Part of what this scenario changes cannot act in the period: "
                         f"{'; '.join(own)}.")  # fmt: skip
    if taken:
        without = BASE_WITHOUT + ("them" if len(taken) > 1 else "it")
        sentences.append(f"{_capitalised('; '.join(taken))}: {without}.")
    return " ".join(sentences)


#: What a comparison measures when a policy of the base that the scenario takes away cannot
#: act in the period (the base's doctrine as signed, from 25 Nov 2025, over a summer).
BASE_WITHOUT = "in the period, this scenario is compared with a base without "


def _capitalised(clause: str) -> str:
    return f"{clause[:1].upper()}{clause[1:]}"


def _policy_words(name: str) -> str:
    """A policy's name in the run in words (``maritime_doctrine#0``: "maritime doctrine")."""
    return name.split("#")[0].replace("_", " ")


def acting_inputs(scenario: Scenario, inputs: Iterable[str]) -> set[str]:
    """Those of ``inputs`` (keys of a comparison's draws) that can change a result of
    ``scenario`` in its period: a calibrated parameter always; a policy's assumption
    (``policy.<name>.<option>``) when that policy can act in the period
    (``Policy.acts_between``); a history driver's dated value (``drivers.<name>.<i>``) when
    it sets the driver on some day of the period (``value_acts``)."""
    from channelsim.scenario import DRIVER_PREFIX

    policies = _named_policies(scenario)
    first, last = scenario.start, scenario.end
    found = set()
    for key in inputs:
        if key.startswith(PREFIX):
            policy = policies.get(key[len(PREFIX) :].rpartition(".")[0])
            acts = policy is not None and policy.acts_between(first, last)
        elif key.startswith(DRIVER_PREFIX):
            name, _, index = key[len(DRIVER_PREFIX) :].rpartition(".")
            policy = policies.get(name)
            value_acts = getattr(policy, "value_acts", None)
            acts = (
                policy is not None
                and value_acts is not None
                and index.isdigit()
                and policy.acts_between(first, last)
                and bool(value_acts(int(index), first, last))
            )
        else:
            acts = True
        if acts:
            found.add(key)
    return found


def assumptions_sentence(assumptions: Sequence[Mapping[str, Any]], runs: int | None = None) -> str:
    """What an answer rests on, in words: each assumption (``input``, ``stated``, ``low``,
    ``high``) by its label, at its stated value, with the range it is assumed to lie in, and
    how to see how much each decides the answer. The same option of several policies at the
    same value and range (the doctrine a scenario adds and the base's doctrine as signed it
    drops) is named once, with both policies. With ``runs`` (a comparison over a posterior,
    whose "what decides this answer" told none of them from noise at that many runs), they
    are said to be drawn over those ranges, and that their shares could not be told."""
    named = _named_assumptions(assumptions)
    if runs is not None:
        return (
            f"This answer rests on assumptions that no source pins down, drawn over the ranges "
            f"they are assumed to lie in (each named at its stated value): {named}. At {runs:,} "
            'runs "what decides this answer" cannot tell how much each decides it (no share '
            "told from noise): the interval holds their ranges, not evidence about them."
        )
    return (
        f"This answer rests on assumptions that no source pins down, taken at their stated "
        f'values: {named}. With a calibration posterior (--posterior DIR), "what decides '
        'this answer" shows how much they decide it.'
    )


def figures_rest_on_sentence(assumptions: Sequence[Mapping[str, Any]]) -> str:
    """What a what-if run's figures rest on (``run``'s headline; a comparison says it of its
    differences, :func:`assumptions_sentence`): each assumption at its stated value with its
    range, and how to see how much each decides (s13 U14: `run doctrine-territorial` gave
    its deaths with no word of the capsize risk they rest on)."""
    return (
        "These figures rest on assumptions that no source pins down, taken at their stated "
        f"values: {_named_assumptions(assumptions)}. Comparing the scenario with its base "
        "(channelsim compare BASE SCENARIO --posterior DIR) shows how much each decides the "
        "difference."
    )


def _named_assumptions(assumptions: Sequence[Mapping[str, Any]]) -> str:
    """Each assumption (``input``, ``stated``, ``low``, ``high``) by its label, at its stated
    value, with its range; the same option of several policies at the same value and range
    named once, with the policies."""
    groups: dict[tuple[str, str, float, float], list[str]] = {}
    for a in assumptions:
        option, policy = _option_and_policy(str(a["input"]))
        key = (option, stated_text(float(a["stated"])), float(a["low"]), float(a["high"]))
        if policy not in groups.setdefault(key, []):
            groups[key].append(policy)
    return "; ".join(
        f"{option}{_policies_text(policies)} {stated} (assumed to lie in "
        f"{stated_text(low)}–{stated_text(high)})"
        for (option, stated, low, high), policies in groups.items()
    )


def what_if_assumptions_text(scenario: Scenario) -> str | None:
    """:func:`figures_rest_on_sentence` for the assumptions of ``scenario``'s policies that
    can act in its period (``None`` when there are none)."""
    found = scenario_assumptions(scenario, acting=True)
    if not found:
        return None
    return figures_rest_on_sentence(
        [{"input": a.key, "stated": a.stated, "low": a.low, "high": a.high} for a in found]
    )


def limits_text(scenario: Scenario) -> str | None:
    """Where ``scenario``'s policies, as set, lie beyond a point past which the model's
    mechanism turns their effect round (each acting policy's ``limits_note(first, last)``:
    beach patrols buying more officers than the northern beaches can use, whose launches
    move to the unguarded beaches), in one sentence each; ``None`` when none does."""
    from channelsim.engine.policy import build_policies

    first, last = scenario.start, scenario.end
    notes = []
    for policy in build_policies(scenario.policies, scenario.policy_location):
        note = getattr(policy, "limits_note", None)
        if note is not None and policy.acts_between(first, last):
            said = note(first, last)
            if said and said not in notes:
                notes.append(said)
    return " ".join(notes) or None


def cost_assumptions_text(scenario: Scenario) -> str | None:
    """The assumed unit costs the extra cost of ``scenario``'s policies rests on (each
    policy's ``cost_assumptions``, for the policies that act in its period), at their values
    with their ranges; ``None`` when none (s13 U11: "one in one out £4.2m" read as measured,
    where it is 210 returns at an assumed £20,000 each)."""
    return _unit_costs_sentence(_unit_costs(scenario))


def changed_cost_assumptions_text(scenario: Scenario, base: Scenario) -> str | None:
    """:func:`cost_assumptions_text` of a comparison: the assumed unit costs of the policies
    ``scenario`` adds or changes, and of the base's it takes away (:func:`changed_policies`),
    each named once; ``None`` when none (s13 U11: `compare` gave one in, one out's "£10.8m
    more" without its assumed £20,000 a return, which `run` names)."""
    added, removed = changed_policies(scenario, base)
    named = _unit_costs(scenario, added)
    named += [n for n in _unit_costs(base, removed) if n not in named]
    return _unit_costs_sentence(named)


def _unit_costs(scenario: Scenario, only: Collection[str] | None = None) -> list[str]:
    """Each assumed unit cost of ``scenario``'s policies that act in its period (of those
    named in ``only``, when given), in words with its value and range."""
    from channelsim.engine.policy import policy_params

    named = []
    for name, policy in _named_policies(scenario).items():
        options = getattr(policy, "cost_assumptions", None)
        if only is not None and name not in only:
            continue
        if options is None or not policy.acts_between(scenario.start, scenario.end):
            continue
        declared = {p.name: p for p in policy_params(type(policy))}
        for option in options():
            label, words = _option_and_policy(f"{PREFIX}{name}.{option}")
            low, _, high = (declared[option].plausible or "").partition("–")
            named.append(
                f"{label}{_policies_text([words])} £{float(getattr(policy, option)):,.0f} "
                f"(assumed to lie in £{low}–£{high})"
            )
    return named


def _unit_costs_sentence(named: Sequence[str]) -> str | None:
    if not named:
        return None
    return f"The extra cost rests on unit costs that no source gives: {'; '.join(named)}."


def _unpriced_words(policy: Policy) -> str | None:
    """A policy the model puts no cost on, in words, else ``None``: history's drivers, whose
    officers and changes were paid for by spending that already runs (docs/model.md,
    "`driver` and `beach_officers`"), so that a scenario moving them changes no extra cost."""
    from channelsim.policies.drivers import BeachOfficers, Driver

    if isinstance(policy, BeachOfficers):
        return "officers on the beaches"
    if isinstance(policy, Driver):
        return f"history's {policy.lever.replace('_', ' ')} driver"
    return None


def unpriced_changes(scenario: Scenario, base: Scenario) -> dict[str, Any]:
    """What ``scenario`` changes against ``base`` (:func:`changed_policies`, acting in the
    period) that the model puts no cost on: history's drivers (a user's 500 more officers
    on the beaches, set by history's ``beach_officers``, read "no change in extra cost of
    policies" beside a funded option's £127m; s13 U5). ``policies`` (names in the run),
    ``what`` (in words, each once) and ``text`` (the phrase a headline puts after "extra
    cost of policies", or ``None`` when nothing unpriced changes)."""
    added, removed = changed_policies(scenario, base)
    mine, theirs = _named_policies(scenario), _named_policies(base)
    changed = [(n, mine[n]) for n in sorted(added)] + [(n, theirs[n]) for n in sorted(removed)]
    found: dict[str, list[str]] = {}
    for name, policy in changed:
        words = _unpriced_words(policy)
        if words is not None and policy.acts_between(scenario.start, scenario.end):
            found.setdefault(words, []).append(name)
    what = list(found)
    return {
        "policies": sorted({n for names in found.values() for n in names}),
        "what": what,
        "text": None if not what else (
            f"the model puts no cost on {' and '.join(what)}, which this scenario changes"
        ),
    }  # fmt: skip


def stated_text(value: float) -> str:
    """A stated value to three significant figures, one precision for all: the base's
    retry probability 0.0213 and a scenario's default 2/94 read "0.0213" and "0.0212766"
    side by side, as if two assumptions."""
    rounded = float(f"{value:.3g}")
    return f"{rounded:,.0f}" if abs(rounded) >= 1000 else f"{rounded:g}"


def _option_and_policy(name: str) -> tuple[str, str]:
    """A policy's option in words and the policy (``""`` for an input of no policy)."""
    label = input_label(name)
    if name.startswith(PREFIX) and label.endswith(")") and " (" in label:
        option, _, policy = label[:-1].partition(" (")
        return option, policy
    return label, ""


def _policies_text(policies: Sequence[str]) -> str:
    named = [p for p in policies if p]
    return f" ({' and '.join(named)})" if named else ""


def paired_draws(
    runs: int,
    seed: int,
    posterior: Any | None,
    assumptions: Sequence[Assumption],
) -> list[dict[str, Any]] | None:
    """One parameter set per member: posterior draw ``r`` (if any) and the assumptions'
    values at point ``r`` of a Latin hypercube; ``None`` when nothing is uncertain."""
    base: list[dict[str, Any]] = (
        posterior.draws(runs, seed) if posterior is not None else [{} for _ in range(runs)]
    )
    unique = list({a.key: a for a in assumptions}.values())
    columns = {a.key: stratified(runs, seed, a.key) for a in unique}
    for r, draw in enumerate(base):
        draw.update({a.key: a.value(float(columns[a.key][r])) for a in unique})
    return base if posterior is not None or unique else None


def stratified(runs: int, seed: int, key: str) -> np.ndarray:
    """One assumption's positions in [0, 1) for ``runs`` members: one in each of ``runs``
    equal strata, in a random order (a Latin hypercube's column), from a stream of its own
    keyed by ``seed`` and the assumption's key. One hypercube over every scenario's
    assumptions made a pair's answer depend on the other scenarios of the command
    (doctrine-territorial's deaths +268.5 alone, +292 with echr-exit beside it; s12 U15)."""
    import hashlib

    stream = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "little")
    rng = np.random.default_rng([seed, 13, stream])
    return (rng.permutation(runs) + rng.random(runs)) / runs


def with_policy_values(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """``scenario`` with the options ``policy.<name>.<option>`` of its policies set;
    values of policies it does not have are ignored."""
    if not values:
        return scenario
    from channelsim.engine.policy import build_policies, name_policies

    names = name_policies(build_policies(scenario.policies, scenario.policy_location))
    specs = []
    for spec, name in zip(scenario.policies, names, strict=True):
        mine = {
            key[len(PREFIX) + len(name) + 1 :]: value
            for key, value in values.items()
            if key.startswith(f"{PREFIX}{name}.")
        }
        specs.append(spec.model_copy(update={"params": {**spec.params, **mine}}) if mine else spec)
    return scenario.with_changes(policies=[s.model_dump() for s in specs])


def uncertain_member(model: SimSpec, seed: int, overrides: Mapping[str, Any] | None) -> SimResult:
    """Member function: calibrated parameters as overrides, the policies' assumptions set
    in the scenario's policies, then the engine."""
    import dataclasses as dc

    from channelsim.engine import simulate

    overrides = dict(overrides or {})
    policy_values = {k: v for k, v in overrides.items() if k.startswith(PREFIX)}
    params = {k: v for k, v in overrides.items() if not k.startswith(PREFIX)}
    if policy_values:
        model = dc.replace(model, scenario=with_policy_values(model.scenario, policy_values))
    return simulate(model, seed, params or None)


# -- what decides the answer -----------------------------------------------------------------


def first_order_shares(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """RBD-FAST first-order shares (SALib's ordering, periodogram ratio and bias correction)
    of each column of ``y`` (members × outputs) due to each column of ``x`` (members ×
    inputs): an inputs × outputs array, not clipped to [0, 1]."""
    from SALib.analyze.rbd_fast import permute_outputs, unskew_S1
    from scipy.signal import periodogram

    ratios = []
    for column in x.T:
        _, power = periodogram(permute_outputs(column, y), axis=0)
        ratios.append(power[1 : HARMONICS + 1].sum(axis=0) / power[1:].sum(axis=0))
    return np.asarray(unskew_S1(np.array(ratios), HARMONICS, len(y)), float)


def noise_level(x: np.ndarray, y: np.ndarray, seed: int) -> float:
    """The share pure noise gets from RBD-FAST on inputs ``x`` (members × inputs): the
    ``NOISE_QUANTILE`` quantile, over ``NOISE_PERMUTATIONS`` seeded permutations of ``y``
    (members), of the largest share of any input (a fraction in [0, 1])."""
    rng = np.random.default_rng([seed, 17])
    permuted = np.stack([rng.permutation(y) for _ in range(NOISE_PERMUTATIONS)], axis=1)
    largest = np.clip(first_order_shares(x, permuted), 0.0, 1.0).max(axis=0)
    return float(np.quantile(largest, NOISE_QUANTILE))


@functools.lru_cache(maxsize=64)
def runs_needed(inputs: int) -> int:
    """The fewest paired runs (even, from ``MIN_MEMBERS``) at which the noise level of
    ``inputs`` uniform inputs on a normal output stays under :data:`NEEDED_NOISE` on each
    of :data:`NEEDED_SAMPLES` seeded samples: at that count an input explaining more than
    half the variance can be told from noise (the headline's test); fewer, and it cannot.
    (Under one half on one sample, the rule before, left the noise at 45-58% on others:
    the advice did not tell a deciding input apart.)"""
    rng = np.random.default_rng([inputs, 13])
    return next(
        runs
        for runs in itertools.count(MIN_MEMBERS, 2)
        if all(
            noise_level(rng.uniform(size=(runs, inputs)), rng.normal(size=runs), runs + k)
            < NEEDED_NOISE
            for k in range(NEEDED_SAMPLES)
        )
    )


def variance_shares(inputs: pd.DataFrame, output: np.ndarray, seed: int) -> list[dict[str, Any]]:
    """First-order share of ``output``'s variance due to each column of ``inputs``
    (members × inputs), RBD-FAST on the given sample, with the 95% bootstrap half-width
    (``share_conf``), its lower bound (``share_low``), the ``noise_level`` of the sample,
    whether the share is ``above_noise`` and the ``runs_needed`` to tell any share from
    noise; then the rest (weather, chance and interactions). Inputs that do not vary are
    left out. Empty when the output does not vary."""
    from SALib.analyze import rbd_fast

    y = np.asarray(output, float)
    keep = [c for c in inputs.columns if np.ptp(inputs[c].to_numpy(float)) > 0]
    if not keep or not np.isfinite(y).all() or np.ptp(y) == 0 or len(y) < MIN_MEMBERS:
        return []
    x = inputs[keep].to_numpy(float)
    problem = {
        "num_vars": len(keep),
        "names": keep,
        "bounds": [[float(x[:, j].min()), float(x[:, j].max())] for j in range(len(keep))],
    }
    # no bootstrap where it says nothing: at 24 or 25 runs its resamples of 12 divided by
    # zero in SALib's bias correction (a traceback after every member had run; s14 F20)
    resamples = 100 if bootstrap_possible(len(y)) else 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = rbd_fast.analyze(problem, x, y, M=HARMONICS, num_resamples=resamples, seed=seed)
    shares = np.clip(np.nan_to_num(np.asarray(result["S1"], float)), 0.0, 1.0)
    conf = np.nan_to_num(np.asarray(result["S1_conf"], float))
    if not resamples:
        conf = np.full_like(conf, np.nan)  # no half-width, not "± 0"
    group = {
        "noise_level": noise_level(x, y, seed),
        "runs": len(y),
        "runs_needed": runs_needed(len(keep)),
    }
    rows = [
        share_row(name, float(s), float(c), group)
        for name, s, c in zip(keep, shares, conf, strict=True)
    ]
    rows.sort(key=lambda r: -r["share"])
    rest = float(max(0.0, 1.0 - shares.sum()))
    chance = {"input": CHANCE, "share": rest, "share_conf": None, "share_low": None}
    rows.append({**chance, **group, "above_noise": None})
    return rows


def bootstrap_possible(runs: int) -> bool:
    """Whether SALib's bootstrap of an RBD-FAST share says anything at ``runs``: it
    resamples half the runs, whose spectrum must hold more than the :data:`HARMONICS`
    summed, else every resample's share is the same (1 before the bias correction) and the
    half-width is exactly 0 whatever the data (below 28 runs; s11 F19 exported "± 0")."""
    return (runs // 2) // 2 > HARMONICS


def share_row(name: str, share: float, conf: float, group: Mapping[str, Any]) -> dict[str, Any]:
    """One input's row of :func:`variance_shares`; a ``conf`` of NaN (no bootstrap
    possible: :func:`bootstrap_possible`) leaves the lower bound NaN and the share not told
    from noise."""
    if math.isnan(conf):
        return {"input": name, "share": share, "share_conf": conf, "share_low": math.nan,
                **group, "above_noise": False}  # fmt: skip
    low = max(0.0, share - conf)
    return {"input": name, "share": share, "share_conf": conf, "share_low": low, **group} | {
        "above_noise": bool(low > group["noise_level"])
    }


def input_kind(name: str) -> str:
    """``assumption`` (a policy's), ``calibrated`` (a posterior parameter) or ``chance``."""
    if name == CHANCE:
        return "chance"
    return "assumption" if name.startswith(PREFIX) else "calibrated"


def what_decides(
    draws: Sequence[Mapping[str, Any]],
    pairs: pd.DataFrame,
    assumptions: Mapping[str, Sequence[str]],
    seed: int,
    acting: Mapping[str, Collection[str]] | None = None,
) -> pd.DataFrame:
    """For each scenario and figure of ``pairs`` (``scenario, rep, figure, difference``),
    the share of the variance of the paired difference due to each uncertain input: the
    calibrated parameters and the assumptions of that scenario's policies (keys listed in
    ``assumptions[scenario]``), of those that can act in the period when ``acting`` lists
    them per scenario (:func:`acting_inputs`: an input drawn but unable to change a result
    gets no share; it would only rank noise). Columns: scenario, figure, input, kind and
    those of :func:`variance_shares`."""
    import pandas as pd  # here: `run` imports this module for its sentences (no pandas)

    table = pd.DataFrame(list(draws))
    calibrated = [c for c in table.columns if not str(c).startswith(PREFIX)]
    rows = []
    for (scenario, figure), group in pairs.groupby(["scenario", "figure"], sort=False):
        columns = calibrated + [c for c in assumptions.get(str(scenario), ()) if c in table]
        can_act = None if acting is None else acting.get(str(scenario))
        columns = [c for c in columns if can_act is None or c in can_act]
        inputs = table.iloc[group["rep"].to_numpy()][columns].reset_index(drop=True)
        for row in variance_shares(inputs, group["difference"].to_numpy(float), seed):
            rows.append(
                {"scenario": scenario, "figure": figure, **row, "kind": input_kind(row["input"])}
            )
    return pd.DataFrame(rows, columns=["scenario", "figure", "input", "kind", *SHARE_COLUMNS])


#: The columns of a share, as :func:`variance_shares` gives them.
SHARE_COLUMNS = (
    "share",
    "share_conf",
    "share_low",
    "noise_level",
    "above_noise",
    "runs",
    "runs_needed",
)


def told_apart(shares: pd.DataFrame) -> bool:
    """Whether any input's share of one difference is told from noise: enough runs, and
    some input's lower bound above the noise level (``shares``: that difference's rows of
    :func:`what_decides`; weather and chance is not an input)."""
    inputs = shares[shares["input"] != CHANCE]
    return not too_few_runs(shares) and bool(inputs["above_noise"].fillna(False).any())


def enough_runs(decided: Mapping[str, Any]) -> bool:
    """Whether one difference of a comparison.json had the runs its shares need (a record
    written before ``enough_runs`` was kept said so as ``told_from_noise``)."""
    return bool(decided.get("enough_runs", decided.get("told_from_noise", True)))


def too_few_runs(shares: pd.DataFrame) -> bool:
    """Whether the shares of one difference come from fewer runs than :func:`runs_needed`
    (``shares``: that difference's rows of :func:`what_decides`)."""
    return bool((shares["runs"] < shares["runs_needed"]).any())


def share_text(row: Mapping[str, Any]) -> str:
    """One input's share as tables show it: ``"<label> (<kind>; key <key>) 63% ± 8%"`` (no
    kind for weather and chance, no key for a policy's option: :func:`input_key`), with
    ``", within noise"`` when its lower bound does not exceed the noise level."""
    key, label = input_key(row["input"]), input_label(row["input"])
    notes = [] if row.get("kind") == "chance" else [str(row["kind"])]  # its name says it
    notes += [f"key {key}"] if key and key != label else []  # what a scenario's overrides write
    kind = f" ({'; '.join(notes)})" if notes else ""
    text = f"{label}{kind} {row['share']:.0%}"
    import pandas as pd

    if row.get("share_conf") is None or pd.isna(row["share_conf"]):
        return text
    noise = "" if row.get("above_noise", True) else ", within noise"
    return f"{text} ± {row['share_conf']:.0%}{noise}"


def too_few_note(runs: int, needed: int, noise: float, option: str = "--runs") -> str:
    """The one line shown instead of the shares when ``runs`` are fewer than ``needed``
    (``option``: the one that sets the runs, ``--runs`` of a comparison's paired runs)."""
    what = "paired runs" if option == "--runs" else "runs"
    of = "a difference's" if option == "--runs" else "an output's"
    return (
        f"Too few {what} to tell any input's share from noise: at {runs} runs pure noise "
        f"alone gets up to {noise:.0%} of {of} variance; run at least {needed} "
        f"({option} {needed})."
    )


#: One difference's "what decides" as ``Comparison.what_decides`` gives it and comparison.json
#: stores it: ``shares`` (records), ``noise_level``, ``runs``, ``runs_needed``,
#: ``told_from_noise``, ``top_driver``, ``headline``; keyed by scenario, then figure.
Decided = Mapping[str, Mapping[str, Mapping[str, Any]]]


def decides_table(
    decided: Decided, label: Callable[[str], str], top: int = 3
) -> list[dict[str, Any]]:
    """ "What decides this answer" as tables show it (``compare`` and the report): per
    scenario and figure (``label(figure)``: its label and unit) with enough runs to tell a
    share from noise, the ``top`` largest shares (``driver 1``…, each as :func:`share_text`
    writes it) and the ``noise level`` (a percentage, blank when unknown)."""
    rows = []
    for scenario, figures in decided.items():
        for figure, one in figures.items():
            if not enough_runs(one):  # too few runs: see decides_note
                continue
            best = sorted(one.get("shares", []), key=lambda r: -float(r["share"]))[:top]
            drivers = {f"driver {i + 1}": share_text(r) for i, r in enumerate(best)}
            noise = one.get("noise_level")
            shown = "" if noise is None else f"{noise:.0%}"
            rows.append(
                {"scenario": scenario, "figure": label(figure), **drivers, "noise level": shown}
            )
    return rows


def decides_note(decided: Decided, option: str = "--runs") -> str | None:
    """The one line shown instead of the shares of the differences with fewer runs than
    their shares need to be told from noise (:func:`too_few_note`: the fewest runs, the
    most needed, the highest noise level), and for those with enough runs but no share
    told from noise (:func:`none_told_note`); ``None`` when neither happens."""
    every = [one for figures in decided.values() for one in figures.values()]
    short = [one for one in every if not enough_runs(one)]
    untold = [
        one
        for one in every
        if enough_runs(one) and "enough_runs" in one and not one.get("told_from_noise", True)
    ]
    notes = []
    if short:
        notes.append(
            too_few_note(
                min(int(o["runs"]) for o in short),
                max(int(o["runs_needed"]) for o in short),
                max(float(o["noise_level"]) for o in short),
                option,
            )
        )
    if untold:
        notes.append(none_told_note(len(untold), max(float(o["noise_level"]) for o in untold)))
    return " ".join(notes) or None


def left_out_note(left_out: Mapping[str, Sequence[str]]) -> str | None:
    """The line naming the inputs drawn but left out of "what decides this answer" because
    they cannot change a result in the period (``left_out``: scenario -> input keys;
    :func:`acting_inputs`), each input once and a driver's dated values together; ``None``
    when there are none."""
    keys = list(dict.fromkeys(k for found in left_out.values() for k in found))
    if not keys:
        return None
    from channelsim.scenario import DRIVER_PREFIX

    dated: dict[str, list[str]] = {}
    for key in keys:
        label = input_label(key)
        driver, sep, when = label.partition(", value dated ")
        if key.startswith(DRIVER_PREFIX) and sep:
            dated.setdefault(driver, []).append(when)
        else:
            dated.setdefault(label, [])
    named = "; ".join(
        f"{what} (values dated {', '.join(when)})" if when else what for what, when in dated.items()
    )
    which = "one input" if len(keys) == 1 else f"{len(keys)} inputs"
    return (
        f"Left out, as they cannot change any result in the period, though drawn: {which}, {named}."
    )


def none_told_note(differences: int, noise: float) -> str:
    """The line for differences with the runs they need but no input's share told from
    noise (each share's lower bound at or under the noise level)."""
    which = "one difference" if differences == 1 else f"{differences} differences"
    return (
        f"For {which}, no input's share is told from noise (noise level up to {noise:.0%}): "
        "none of the inputs drawn is shown to decide it, and the shares below are marked "
        "within noise."
    )


def input_label(name: str) -> str:
    """A reader's name for an input, from its definition and never an internal key: a
    policy's option and the policy (``"arrest share (maritime doctrine)"``; a policy the
    scenario names by its name), a dated value of a history driver (``"coastal inflow, value
    dated 1 Jan 2020"``: the date of the value the key's index names, counted from 0),
    a parameter's label (:attr:`channelsim.params.ParamInfo.label`)."""
    from channelsim.scenario import DRIVER_PREFIX

    if name.startswith(PREFIX):
        policy, _, option = name[len(PREFIX) :].rpartition(".")
        words = " ".join(w for w in option.split("_") if w not in ("gbp", "eur"))
        return f"{words} ({policy.split('#')[0].replace('_', ' ')})"
    if name.startswith(DRIVER_PREFIX):
        driver, _, index = name[len(DRIVER_PREFIX) :].rpartition(".")
        if index.isdigit():
            dates = _driver_dates().get(driver, ())
            i = int(index)
            if i < len(dates):
                return f"{driver.replace('_', ' ')}, value dated {dates[i]:%-d %b %Y}"
            return f"{driver.replace('_', ' ')}, dated value at index {i} (from 0)"
    return _parameter_labels().get(name, name)


@functools.cache
def _driver_dates() -> dict[str, tuple[dt.date, ...]]:
    """The dates of each named driver of the shipped history (``scenarios/history.toml``,
    which every shipped scenario starts from): ``drivers.<name>.<i>`` is the value at
    ``dates[i]``, counted from 0 as the key is."""
    import tomllib
    from importlib import resources

    text = (resources.files("channelsim") / "scenarios" / "history.toml").read_text("utf-8")
    return {
        str(entry["name"]): tuple(entry["params"]["dates"])
        for entry in tomllib.loads(text).get("policies", [])
        if entry.get("name") and "dates" in entry.get("params", {})
    }


@functools.cache
def _parameter_labels() -> dict[str, str]:
    from channelsim.params import list_parameters

    return {p.path: p.label for p in list_parameters()}


def input_key(name: str) -> str | None:
    """The key a user writes to set an input in a scenario's overrides (a parameter's path,
    ``drivers.<policy>.<index>``), or ``None`` (a policy's option is set in its table, and
    weather and chance have none)."""
    return None if name == CHANCE or name.startswith(PREFIX) else name


def top_driver(shares: pd.DataFrame) -> dict[str, Any] | None:
    """The input with the largest share, when it explains more than half the variance and
    is told from noise (enough runs, and its share's lower bound above the noise level;
    the rest, weather and chance, needs enough runs only)."""
    if shares.empty or too_few_runs(shares):
        return None
    top = shares.sort_values("share", ascending=False).iloc[0]
    if float(top["share"]) <= HEADLINE_SHARE or (top["input"] != CHANCE and not top["above_noise"]):
        return None
    return {"input": top["input"], "kind": top["kind"], "share": float(top["share"])}


def driver_sentence(figure_label: str, driver: Mapping[str, Any]) -> str:
    """ "The difference in deaths depends mostly on …, an assumption (63% of its variance)"."""
    kind = {
        "assumption": "an assumption",
        "calibrated": "a calibrated parameter",
        "chance": "not on any parameter",
    }[driver["kind"]]
    return (
        f"The difference in {figure_label} depends mostly on {input_label(driver['input'])}, "
        f"{kind} ({driver['share']:.0%} of its variance)."
    )
