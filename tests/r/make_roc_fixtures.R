# Reference results from pROC for il6hcc/stats/roc.py.
#
# Run from the repository root:  Rscript tests/r/make_roc_fixtures.R
# Writes tests/fixtures/roc/: one data_<dataset>.tsv per dataset, and auc.tsv, roc_test.tsv,
# coords_all.tsv, coords_best.tsv, README.md (R and pROC versions, this script's name).
#
# Orientation is never guessed: every curve is roc(is_case, score, levels = c(FALSE, TRUE),
# direction = "<"), i.e. a higher score means "more likely a case (responder)".
# Numbers are written with 17 significant digits so that doubles round-trip exactly.

suppressPackageStartupMessages(library(pROC))

out_dir <- file.path("tests", "fixtures", "roc")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

fmt <- function(x) {
  ifelse(is.na(x) & !is.nan(x), "NA", sprintf("%.17g", as.numeric(x)))
}

write_tsv <- function(df, file) {
  write.table(df, file.path(out_dir, file), sep = "\t", quote = FALSE, row.names = FALSE,
              na = "NA")
}

# Evaluates expr, returning its value with any warnings and the error message (if it failed).
capture <- function(expr) {
  warnings <- character(0)
  value <- withCallingHandlers(
    tryCatch(expr, error = function(e) structure(conditionMessage(e), class = "captured_error")),
    warning = function(w) {
      warnings <<- c(warnings, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  failed <- inherits(value, "captured_error")
  list(value = if (failed) NULL else value,
       error = if (failed) as.character(unclass(value)) else "",
       warning = paste(warnings, collapse = " | "))
}

one_line <- function(s) trimws(gsub("[\t\n]", " ", s))

build_roc <- function(is_case, score) {
  roc(is_case, score, levels = c(FALSE, TRUE), direction = "<", quiet = TRUE)
}

# ---- datasets -----------------------------------------------------------------------------

set.seed(20240611)
datasets <- list()

# Small, all scores distinct, one missing value in marker_b.
datasets$small <- data.frame(
  is_case = c(TRUE, FALSE, TRUE, FALSE, FALSE, TRUE, FALSE, FALSE, TRUE, FALSE, FALSE, TRUE),
  marker_a = c(3.1, 1.2, 2.7, 0.4, 2.9, 4.4, 1.9, 0.7, 1.5, 2.2, 3.3, 5.0),
  marker_b = c(2.0, 1.1, NA, 1.7, 0.3, 2.6, 2.4, 0.9, 0.8, 1.3, 1.0, 3.5)
)

# Ordinal scores 1..5: many ties, including ties between cases and controls.
n_ties <- 40
ties_case <- rep(c(TRUE, FALSE), c(14, 26))
datasets$ties <- data.frame(
  is_case = ties_case,
  marker_a = ifelse(ties_case, sample(2:5, n_ties, TRUE), sample(1:4, n_ties, TRUE)),
  marker_b = ifelse(ties_case, sample(1:5, n_ties, TRUE), sample(1:5, n_ties, TRUE))
)

# IL-6-like values censored at the assay limit 1.5 pg/mL: many identical minimum values.
n_cens <- 44
cens_case <- rep(c(TRUE, FALSE), c(11, 33))
il6_pre <- exp(rnorm(n_cens, log(6), 1.1))
il6_post <- il6_pre * exp(rnorm(n_cens, ifelse(cens_case, 0.6, 0), 0.5))
datasets$censored <- data.frame(
  is_case = cens_case,
  marker_a = pmax(il6_post, 1.5),
  marker_b = pmax(round(il6_pre, 1), 1.5)
)

# Large, two correlated continuous markers, ~30% cases.
n_large <- 600
large_case <- runif(n_large) < 0.3
shared <- rnorm(n_large)
datasets$large <- data.frame(
  is_case = large_case,
  marker_a = 0.8 * large_case + shared + rnorm(n_large, 0, 0.7),
  marker_b = 0.5 * large_case + shared + rnorm(n_large, 0, 0.9)
)

# Degenerate and edge cases.
datasets$no_cases <- data.frame(is_case = rep(FALSE, 6), marker_a = c(1, 2, 3, 4, 5, 6),
                                marker_b = c(2, 1, 4, 3, 6, 5))
datasets$no_controls <- data.frame(is_case = rep(TRUE, 5), marker_a = c(1, 2, 3, 4, 5),
                                   marker_b = c(5, 4, 3, 2, 1))
datasets$single_case <- data.frame(is_case = c(TRUE, FALSE, FALSE, FALSE, FALSE),
                                   marker_a = c(3, 1, 2, 4, 5), marker_b = c(5, 1, 2, 3, 4))
datasets$single_case_equal <- data.frame(is_case = c(TRUE, FALSE, FALSE, FALSE, FALSE),
                                         marker_a = c(3, 1, 2, 4, 5),
                                         marker_b = c(3, 1, 2, 4, 5))
datasets$all_tied <- data.frame(is_case = c(TRUE, FALSE, TRUE, FALSE, FALSE, TRUE),
                                marker_a = rep(1.5, 6), marker_b = rep(1.5, 6))
# Both perfect: equal AUCs with zero variance of the difference.
datasets$perfect_both <- data.frame(is_case = c(TRUE, TRUE, TRUE, FALSE, FALSE, FALSE),
                                    marker_a = c(4, 5, 6, 1, 2, 3),
                                    marker_b = c(10, 20, 30, 1, 2, 3))
# Perfect against uninformative: different AUCs with zero variance of the difference.
datasets$perfect_vs_tied <- data.frame(is_case = c(TRUE, TRUE, TRUE, FALSE, FALSE, FALSE),
                                       marker_a = c(4, 5, 6, 1, 2, 3),
                                       marker_b = rep(7, 6))
# Scores one ulp apart (the midpoint rounds onto a score) and scores near the double limit
# (the midpoint of the two largest would overflow): pROC's threshold special cases.
datasets$precision <- data.frame(
  is_case = c(FALSE, TRUE, FALSE, TRUE, FALSE, TRUE, TRUE, FALSE),
  marker_a = c(1, 1 + .Machine$double.eps, 2, 3, -1e308, 1.5e308, 1e308, 0.5),
  marker_b = c(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
)

# ---- reference results ----------------------------------------------------------------------

auc_rows <- list()
test_rows <- list()
coords_all_rows <- list()
coords_best_rows <- list()

for (name in names(datasets)) {
  d <- datasets[[name]]
  write_tsv(data.frame(is_case = d$is_case, marker_a = fmt(d$marker_a),
                       marker_b = fmt(d$marker_b)),
            sprintf("data_%s.tsv", name))

  for (marker in c("marker_a", "marker_b")) {
    built <- capture(build_roc(d$is_case, d[[marker]]))
    r <- built$value
    if (is.null(r)) {
      auc_rows[[length(auc_rows) + 1]] <- data.frame(
        dataset = name, marker = marker, n_cases = NA, n_controls = NA, auc = NA,
        var_delong = NA, ci_low = NA, ci_high = NA, ci90_low = NA, ci90_high = NA, error = one_line(built$error),
        warning = one_line(built$warning))
      next
    }
    v <- capture(var(r, method = "delong"))
    ci <- capture(ci.auc(r, method = "delong"))
    ci_values <- if (is.null(ci$value)) c(NA, NA, NA) else as.numeric(ci$value)
    ci90 <- capture(ci.auc(r, conf.level = 0.9, method = "delong"))
    ci90_values <- if (is.null(ci90$value)) c(NA, NA, NA) else as.numeric(ci90$value)
    auc_rows[[length(auc_rows) + 1]] <- data.frame(
      dataset = name, marker = marker, n_cases = length(r$cases),
      n_controls = length(r$controls), auc = fmt(as.numeric(r$auc)),
      var_delong = fmt(if (is.null(v$value)) NA else v$value),
      ci_low = fmt(ci_values[1]), ci_high = fmt(ci_values[3]),
      ci90_low = fmt(ci90_values[1]), ci90_high = fmt(ci90_values[3]),
      error = one_line(paste(v$error, ci$error)),
      warning = one_line(paste(built$warning, v$warning, ci$warning)))

    all <- coords(r, "all", transpose = FALSE)
    coords_all_rows[[length(coords_all_rows) + 1]] <- data.frame(
      dataset = name, marker = marker, threshold = fmt(all$threshold),
      sensitivity = fmt(all$sensitivity), specificity = fmt(all$specificity))
    best <- coords(r, "best", best.method = "youden", transpose = FALSE)
    coords_best_rows[[length(coords_best_rows) + 1]] <- data.frame(
      dataset = name, marker = marker, threshold = fmt(best$threshold),
      sensitivity = fmt(best$sensitivity), specificity = fmt(best$specificity))
  }

  # Paired test on the patients with both scores (pROC requires identical patients).
  complete <- !is.na(d$marker_a) & !is.na(d$marker_b)
  dc <- d[complete, ]
  test <- capture({
    ra <- build_roc(dc$is_case, dc$marker_a)
    rb <- build_roc(dc$is_case, dc$marker_b)
    roc.test(ra, rb, method = "delong", paired = TRUE)
  })
  t <- test$value
  test_rows[[length(test_rows) + 1]] <- data.frame(
    dataset = name, n_cases = sum(dc$is_case), n_controls = sum(!dc$is_case),
    auc_a = fmt(if (is.null(t)) NA else t$estimate[1]),
    auc_b = fmt(if (is.null(t)) NA else t$estimate[2]),
    z = fmt(if (is.null(t)) NA else t$statistic),
    p_value = fmt(if (is.null(t)) NA else t$p.value),
    conf_low = fmt(if (is.null(t)) NA else t$conf.int[1]),
    conf_high = fmt(if (is.null(t)) NA else t$conf.int[2]),
    method = if (is.null(t)) "" else t$method,
    error = one_line(test$error), warning = one_line(test$warning))
}

write_tsv(do.call(rbind, auc_rows), "auc.tsv")
write_tsv(do.call(rbind, test_rows), "roc_test.tsv")
write_tsv(do.call(rbind, coords_all_rows), "coords_all.tsv")
write_tsv(do.call(rbind, coords_best_rows), "coords_best.tsv")

writeLines(c(
  "# pROC reference fixtures for il6hcc/stats/roc.py",
  "",
  "Generated by `Rscript tests/r/make_roc_fixtures.R` (run from the repository root).",
  "",
  sprintf("- R: %s", R.version.string),
  sprintf("- pROC: %s", as.character(packageVersion("pROC"))),
  sprintf("- Generated on: %s", format(Sys.Date())),
  "",
  "Every curve: `roc(is_case, score, levels = c(FALSE, TRUE), direction = \"<\")`.",
  "",
  "- `data_<dataset>.tsv`: is_case, marker_a, marker_b (NA = missing).",
  "- `auc.tsv`: auc, `var(roc, method = \"delong\")`, `ci.auc(roc, method = \"delong\")`",
  "  (95%; ci90_* at conf.level = 0.9), with the error and warning messages pROC gave (roc() fails without cases/controls).",
  "- `roc_test.tsv`: `roc.test(roc_a, roc_b, method = \"delong\", paired = TRUE)` on patients",
  "  with both scores: estimates, Z, p-value, 95% conf.int of the difference, messages.",
  "- `coords_all.tsv`: `coords(roc, \"all\", transpose = FALSE)`.",
  "- `coords_best.tsv`: `coords(roc, \"best\", best.method = \"youden\", transpose = FALSE)`",
  "  (several rows when the optimum is tied).",
  "",
  "Numbers have 17 significant digits."
), file.path(out_dir, "README.md"))
