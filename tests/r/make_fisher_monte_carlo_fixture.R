# Reference p-values for il6hcc.stats.proportions.fisher_monte_carlo and for the Table 1 Fisher
# tests of the degenerate-cases workflow test (tests/test_degenerate_workflow.py).
#
# Run from the repository root:  Rscript tests/r/make_fisher_monte_carlo_fixture.R
# Writes tests/fixtures/fisher_monte_carlo/: tables.tsv (each table, long form), pvalues.tsv
# (R's exact p-value with a workspace large enough for every table, and R's Monte Carlo
# p-value with B = 10000 after set.seed(20250101), recorded for comparison: our Monte Carlo
# estimate cannot reproduce R's random stream, so tests compare it with R's EXACT p-value
# within Monte Carlo error), versions.tsv.

out_dir <- file.path("tests", "fixtures", "fisher_monte_carlo")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
fmt <- function(x) sprintf("%.17g", x)
B <- 10000
workspace <- 2e8

cohort <- read.csv(file.path("tests", "data", "degenerate", "cohort.csv"),
                   stringsAsFactors = FALSE)
line_group <- ifelse(cohort$line_of_therapy == 1, "first-line", "later-line")
responder <- ifelse(cohort$response %in% c("CR", "PR"), "responders", "non-responders")

tables <- list(
  three_by_three = matrix(c(12, 5, 3, 4, 10, 6, 2, 7, 11), 3),
  three_by_five = matrix(c(6, 2, 1, 3, 5, 2, 1, 4, 6, 0, 2, 5, 4, 1, 2), 3),
  large_two_by_five = matrix(c(40, 22, 35, 30, 18, 25, 42, 28, 33, 27), 2),
  degenerate_etiology_by_line = unclass(table(cohort$etiology, line_group)),
  degenerate_etiology_by_response = unclass(table(cohort$etiology, responder))
)

long <- do.call(rbind, lapply(names(tables), function(nm) {
  m <- tables[[nm]]
  data.frame(case = nm, row = as.vector(row(m)), col = as.vector(col(m)),
             count = as.vector(m))
}))
write.table(long, file.path(out_dir, "tables.tsv"), sep = "\t", quote = FALSE,
            row.names = FALSE)

pvalues <- do.call(rbind, lapply(names(tables), function(nm) {
  m <- tables[[nm]]
  exact <- fisher.test(m, workspace = workspace)$p.value
  set.seed(20250101)
  simulated <- fisher.test(m, simulate.p.value = TRUE, B = B)$p.value
  data.frame(case = nm, exact_p_value = fmt(exact), r_monte_carlo_p_value = fmt(simulated),
             r_monte_carlo_replicates = B)
}))
write.table(pvalues, file.path(out_dir, "pvalues.tsv"), sep = "\t", quote = FALSE,
            row.names = FALSE)

versions <- data.frame(
  item = c("R", "stats", "script", "workspace", "seed"),
  value = c(R.version.string, as.character(packageVersion("stats")),
            "tests/r/make_fisher_monte_carlo_fixture.R", format(workspace), "20250101")
)
write.table(versions, file.path(out_dir, "versions.tsv"), sep = "\t", quote = FALSE,
            row.names = FALSE)
