"""Write cohort.csv: a constructed cohort in which every degenerate case of the analysis occurs.

Run `python3 tests/data/degenerate/make_cohort.py`; the file is deterministic. See README.md
beside it for what each feature of the cohort exercises.
"""

import csv
import random
from pathlib import Path

ETIOLOGY_LEVELS = 21  # 42 patients in 21 levels of 2: see README.md

rows = []
# First line: 10 responders whose IL-6 more than doubles, 20 non-responders whose IL-6 does not
# (IL-6 separates response perfectly: AUC 1), and whose AFP falls more often than the
# responders' (AFP works against its favourable direction: AUC well below 0.5).
for index in range(30):
    responder = index < 10
    rows.append(
        {
            "line_of_therapy": 1,
            "response": ("CR" if index < 2 else "PR")
            if responder
            else ("SD" if index < 22 else "PD"),
            "il6_pre": 4.0 + index % 5,
            "il6_ratio": 2.2 + 0.1 * index if responder else 0.5 + 0.05 * (index - 10),
            "afp_pre": 100.0 + 10 * index,
            "afp_ratio": 0.95 + 0.03 * index if responder else 0.6 + 0.02 * (index - 10),
        }
    )
# Later lines: 12 non-responders only, so line of therapy separates response in "all".
for index in range(12):
    rows.append(
        {
            "line_of_therapy": 2 + index % 2,
            "response": "SD" if index % 3 else "PD",
            "il6_pre": 6.0 + index % 4,
            "il6_ratio": 0.6 + 0.08 * index,
            "afp_pre": 200.0 + 15 * index,
            "afp_ratio": 0.7 + 0.05 * index,
        }
    )

# Etiology: 21 levels of 2 patients each, shuffled (seed 2) so that neither Fisher test of
# Table 1 has a trivial p-value of 1.
etiology = [f"E{index % ETIOLOGY_LEVELS + 1:02d}" for index in range(len(rows))]
random.Random(2).shuffle(etiology)
# Women: 2 responders (patients 1 and 2) and 8 non-responders (patients 11-14 and 31-34).
women = {1, 2, 11, 12, 13, 14, 31, 32, 33, 34}
path = Path(__file__).with_name("cohort.csv")
with path.open("w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["patient_id", "line_of_therapy", "response", "il6_pre", "il6_post",
                     "afp_pre", "afp_post", "age", "sex", "etiology"])  # fmt: skip
    for number, row in enumerate(rows, start=1):
        writer.writerow(
            [
                f"DEG-{number:03d}",
                row["line_of_therapy"],
                row["response"],
                f"{row['il6_pre']:.1f}",
                f"{row['il6_pre'] * row['il6_ratio']:.2f}",
                f"{row['afp_pre']:.1f}",
                f"{row['afp_pre'] * row['afp_ratio']:.2f}",
                60 + number % 20,
                "F" if number in women else "M",
                etiology[number - 1],
            ]
        )
