"""Write a SIMULATED cohort CSV and its JSON sidecar (PATH with suffix .json).

The bundled cohort, from the repository root:
python3 workflow/scripts/simulate_cohort.py --n 44 --seed 16 --out resources/simulated_cohort.csv
"""

import argparse
import json
from pathlib import Path

from il6hcc.simulate import BUNDLED_N_PATIENTS, BUNDLED_SEED, sidecar, simulate_cohort


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=BUNDLED_N_PATIENTS, help="number of patients")
    parser.add_argument("--seed", type=int, default=BUNDLED_SEED, help="random seed")
    parser.add_argument("--out", type=Path, required=True, help="CSV path; sidecar beside it")
    args = parser.parse_args(argv)

    cohort = simulate_cohort(n_patients=args.n, seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # Fixed line terminator and encoding so the file is byte-identical on every platform.
    cohort.to_csv(args.out, index=False, lineterminator="\n", encoding="utf-8")
    metadata = sidecar(seed=args.seed, n_patients=args.n)
    args.out.with_suffix(".json").write_text(
        json.dumps(metadata, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
