"""The report's Prognosis section: template context built from the survival rule's outputs.

Rendered by workflow/templates/prognosis.html.j2 (included from report.html.j2). Every number
comes from the survival tables; this module only groups rows for the template.
"""

from __future__ import annotations

from il6hcc.prognosis import ENDPOINT_LABELS, describe_grouping, group_labels
from il6hcc.report import records, svg_data_uri
from il6hcc.tables import read_tsv

INPUT_NAMES = (
    "survival_flow",
    "survival_medians",
    "survival_logrank",
    "survival_cox",
    "survival_zph",
    "survival_claim",
    "survival_km_svg",
)


def _flow_context(flow) -> list[dict]:
    """Per endpoint: patients read, excluded by reason, analysed, and per group."""
    endpoints = []
    for endpoint, rows in flow.groupby("endpoint", sort=False):
        by_step = {step: part for step, part in rows.groupby("step", sort=False)}
        excluded = by_step.get("excluded", rows.iloc[0:0])
        endpoints.append(
            {
                "endpoint": endpoint,
                "label": ENDPOINT_LABELS[endpoint],
                "read": int(by_step["read"]["n"].iloc[0]),
                "excluded": [{"reason": r.reason, "n": int(r.n)} for r in excluded.itertuples()],
                "n_excluded": int(excluded["n"].sum()),
                "analysed": int(by_step["analysed"]["n"].iloc[0]),
                "groups": [
                    {"label": r.reason, "n": int(r.n)} for r in by_step["group"].itertuples()
                ],
            }
        )
    return endpoints


def _cox_with_ph(cox, zph) -> list[dict]:
    """Cox rows with the proportional-hazards test of the same term (and the model's global
    test) beside them, so each hazard ratio is read with its check."""
    ph = {(r.endpoint, r.model, r.term): r.p_value for r in zph.itertuples() if r.estimable}
    rows = records(cox)
    for row in rows:
        key = (row["endpoint"], row["model"])
        row["ph_p_value"] = ph.get((*key, row["term"]))
        row["ph_global_p_value"] = ph.get((*key, "GLOBAL"))
    return rows


def prognosis_context(config: dict, inputs) -> dict:
    """Context of the Prognosis section; ``inputs`` has the report rule's ``survival_*`` inputs
    (lists over the configured subgroups, in config order). ``{"enabled": False}`` when the
    analysis is switched off. ``claim`` is the claim-6 row of ``survival.claim_subgroup``."""
    survival = config["survival"]
    if not survival["enabled"]:
        return {"enabled": False, "claim": []}
    (marker,) = [m for m in config["markers"] if m["key"] == survival["grouping"]["marker"]]
    endpoints = survival["endpoints"]
    paths = {name: list(getattr(inputs, name)) for name in INPUT_NAMES}
    subgroups = []
    claim = []
    for index, name in enumerate(config["subgroups"]):
        figures = paths["survival_km_svg"][index * len(endpoints) : (index + 1) * len(endpoints)]
        subgroups.append(
            {
                "name": name,
                "flow": _flow_context(read_tsv(paths["survival_flow"][index])),
                "medians": records(read_tsv(paths["survival_medians"][index])),
                "logrank": records(read_tsv(paths["survival_logrank"][index])),
                "cox": _cox_with_ph(
                    read_tsv(paths["survival_cox"][index]), read_tsv(paths["survival_zph"][index])
                ),
                "figures": [
                    {
                        "uri": svg_data_uri(path),
                        "alt": f"Kaplan-Meier curves of {ENDPOINT_LABELS[endpoint]}, {name}",
                    }
                    for endpoint, path in zip(endpoints, figures, strict=True)
                ],
            }
        )
        if name == survival["claim_subgroup"]:
            claim = records(read_tsv(paths["survival_claim"][index]))
    return {
        "enabled": True,
        "landmark_months": survival["landmark_months"],
        "grouping": describe_grouping(survival["grouping"], marker["label"]),
        "index_group": group_labels(survival["grouping"])[0],
        "reference_group": group_labels(survival["grouping"])[1],
        "adjust_for": ", ".join(survival["adjust_for"]) or "nothing",
        "min_events_per_group": survival["min_events_per_group"],
        "conf_level": config["statistics"]["conf_level"],
        "claim_subgroup": survival["claim_subgroup"],
        "subgroups": subgroups,
        "claim": claim,
    }
