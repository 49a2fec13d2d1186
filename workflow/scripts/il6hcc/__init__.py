"""il6hcc: statistics, cleaning and I/O for the IL-6 / Atezo-Bev biomarker workflow.

Pure functions, DataFrame in and DataFrame out. Snakemake rule scripts in
``workflow/scripts/`` are thin adapters around this package.
"""

__version__ = "0.1.0"
