"""Rules robustness_batch, robustness_summary, robustness_influence and robustness_figures: the
claims check rerun under every specification of the multiverse, without each patient and with
patients' responses swapped (fragility), the share in which each verdict holds, and a
specification curve per claim."""

from __future__ import annotations

from functools import partial

from il6hcc.config import CLAIM_FILE_NAMES, leave_one_out_settings, multiverse_settings
from il6hcc.fragility import claims_fragility
from il6hcc.influence import leave_one_out
from il6hcc.multiverse import gather_batches, run_batch, summarise
from il6hcc.rulekit import FigureFiles, Patients, Table, Tables

FIGURE_PREFIX = "specification_curve_"


def robustness_batch(cohort: Patients, *, batch: str, **sections: dict) -> dict:
    """``sections``: the configuration sections of il6hcc.ruleparams.robustness_batch."""
    settings = multiverse_settings(sections)
    table = run_batch(cohort, settings, batches=settings["batches"], batch=int(batch))
    return {"specifications": table}


def robustness_summary(batches: Tables, claims: Table, *, robustness: dict) -> dict:
    specifications = gather_batches(batches, robustness)
    return {"specifications": specifications, "summary": summarise(specifications, claims)}


def robustness_influence(cohort: Patients, **sections: dict) -> dict:
    """Leave-one-out and the fragility index: both rerun the configured analysis alone.
    ``sections``: the configuration sections of il6hcc.ruleparams.robustness_influence."""
    settings = leave_one_out_settings(sections)
    return {
        "influence": leave_one_out(cohort, settings),
        "fragility": claims_fragility(
            cohort, settings, max_flips=sections["robustness"]["fragility"]["max_flips"]
        ),
    }


def robustness_figures(specifications: Table, claims: Table, *, statistics: dict) -> dict:
    """Keyed by file stem (``specification_curve_<claim>``), each curve drawn from its claim's
    rows and verdict looked up by claim key."""
    # Imported here, not at the top: matplotlib and seaborn (about 0.4 s of CPU a process) are
    # for this rule's figures only; the module's other rules run as fresh processes that draw
    # nothing.
    from il6hcc.figures import save
    from il6hcc.specification_curve import specification_curve

    verdicts = claims.set_index(claims["claim"].astype(str))["verdict"]
    simulated = bool((claims["data_status"] == "simulated").any())
    return {
        f"{FIGURE_PREFIX}{name}": FigureFiles(
            partial(
                specification_curve,
                specifications,
                claim=claim,
                main_verdict=verdicts[claim],
                alpha=statistics["alpha"],
                simulated=simulated,
            ),
            save,
            {"figure": "specification_curve", "claim": claim},
        )
        for claim, name in CLAIM_FILE_NAMES.items()
    }
