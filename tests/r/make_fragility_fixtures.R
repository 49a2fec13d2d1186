# Reference values for il6hcc.fragility.fragility_2x2 (Walsh et al., J Clin Epidemiol 2014):
# Fisher's exact two-sided p-value of each 2x2 table (R's fisher.test) and Walsh's fragility
# index, counted here step by step: in the group with fewer events (group a on a tie), one
# non-event at a time becomes an event until fisher.test's p-value reaches alpha (0 when it
# already does; NA when every non-event changed does not reach it).
#
# Run from the repository root:  Rscript tests/r/make_fragility_fixtures.R
# Writes tests/fixtures/fragility/: tables.tsv (one row per table), versions.tsv.

out_dir <- file.path("tests", "fixtures", "fragility")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
fmt <- function(x) sprintf("%.17g", x)
alpha <- 0.05

tables <- data.frame(
  case = c("walsh_like", "reversed_groups", "not_significant", "zero_events",
           "strong", "tie_in_events", "unequal_sizes"),
  events_a = c(1, 10, 5, 0, 2, 8, 3),
  total_a = c(50, 50, 50, 40, 100, 20, 200),
  events_b = c(10, 1, 6, 9, 30, 8, 12),
  total_b = c(50, 50, 50, 40, 100, 60, 60)
)

fisher_p <- function(ea, na, eb, nb) {
  fisher.test(matrix(c(ea, na - ea, eb, nb - eb), 2, byrow = TRUE))$p.value
}

walsh <- function(ea, na, eb, nb) {
  if (eb < ea) {
    swap <- c(eb, nb, ea, na)
    ea <- swap[1]; na <- swap[2]; eb <- swap[3]; nb <- swap[4]
  }
  for (changed in 0:(na - ea)) {
    if (fisher_p(ea + changed, na, eb, nb) >= alpha) return(changed)
  }
  NA
}

tables$p_value <- fmt(mapply(fisher_p, tables$events_a, tables$total_a, tables$events_b,
                             tables$total_b))
tables$fragility_index <- mapply(walsh, tables$events_a, tables$total_a, tables$events_b,
                                 tables$total_b)
tables$alpha <- alpha
write.table(tables, file.path(out_dir, "tables.tsv"), sep = "\t", quote = FALSE,
            row.names = FALSE, na = "NA")

versions <- data.frame(
  item = c("R", "stats", "script"),
  version = c(R.version.string, as.character(packageVersion("stats")),
              "tests/r/make_fragility_fixtures.R")
)
write.table(versions, file.path(out_dir, "versions.tsv"), sep = "\t", quote = FALSE,
            row.names = FALSE)
