# Reference values from base R for il6hcc.stats.{nonparametric,proportions,multiplicity,regression}.
#
# Run from the repository root:   Rscript tests/r/make_core_fixtures.R
# Writes tests/fixtures/core/: the simulated data sets (data_*.tsv), R's results (results.tsv,
# glm_results.tsv), R's errors and warnings for degenerate input (conditions.tsv), and the R
# version (versions.tsv, README.md). Numbers are written with 17 significant digits; NA is "NA".
# Only base R (stats) is used, so the script needs no package beyond a plain R installation.

out_dir <- file.path("tests", "fixtures", "core")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

fmt <- function(v) {
  if (is.logical(v)) return(ifelse(is.na(v), "NA", ifelse(v, "TRUE", "FALSE")))
  if (is.numeric(v)) return(ifelse(is.na(v), "NA", sprintf("%.17g", v)))
  as.character(v)
}

write_tsv <- function(df, name) {
  df[] <- lapply(df, fmt)
  write.table(df, file.path(out_dir, name), sep = "\t", quote = FALSE, row.names = FALSE,
              na = "NA")
}

results <- list()
add_result <- function(fn, case, key, value) {
  results[[length(results) + 1L]] <<- data.frame(fn = fn, case = case, key = key,
                                                 value = fmt(value), stringsAsFactors = FALSE)
}

conditions <- list()
record_conditions <- function(fn, case, expr) {
  # R's own message for degenerate input, so the tests can document what R does instead.
  msgs <- character(0)
  value <- withCallingHandlers(
    tryCatch(expr, error = function(e) {
      msgs <<- c(msgs, paste("error:", conditionMessage(e)))
      NULL
    }),
    warning = function(w) {
      msgs <<- c(msgs, paste("warning:", conditionMessage(w)))
      invokeRestart("muffleWarning")
    }
  )
  conditions[[length(conditions) + 1L]] <<- data.frame(
    fn = fn, case = case,
    message = if (length(msgs)) paste(gsub("[\t\n]", " ", msgs), collapse = " | ") else "none",
    stringsAsFactors = FALSE)
  value
}

# ---------------------------------------------------------------- paired data (signed rank)
set.seed(20250101)
paired <- list()
# small: 7 pairs, continuous values, no ties and no zero differences -> exact test.
pre <- round(rlnorm(7, log(5), 0.6), 2)
paired$small <- data.frame(pre = pre, post = round(pre * rlnorm(7, 0.3, 0.4), 2))
# tied: integer-valued, with tied |differences| and zero differences, plus one missing value.
pre <- round(rlnorm(14, log(6), 0.5))
post <- pre + sample(c(-3, -1, 0, 0, 1, 1, 2, 3, 5), 14, replace = TRUE)
post[5] <- NA
paired$tied <- data.frame(pre = pre, post = post)
# censored: IL-6 with many values at the assay's lower limit (1.5 pg/mL) on both occasions.
lloq <- 1.5
pre <- round(rlnorm(20, log(2), 0.9), 1)
post <- round(pre * rlnorm(20, 0.4, 0.5), 1)
paired$censored <- data.frame(pre = pmax(pre, lloq), post = pmax(post, lloq))
# large: 64 pairs -> R's default is the normal approximation (n >= 50).
pre <- rlnorm(64, log(8), 0.7)
paired$large <- data.frame(pre = round(pre, 3), post = round(pre * rlnorm(64, 0.15, 0.5), 3))
# all_zero: every difference is zero -> R returns p = NA.
paired$all_zero <- data.frame(pre = c(2.1, 3.4, 1.5, 7.2), post = c(2.1, 3.4, 1.5, 7.2))
# no_pairs: no complete pair (post missing for everyone, e.g. an empty responder group).
paired$no_pairs <- data.frame(pre = c(2.1, 3.4, 5.0), post = rep(NA_real_, 3))
# one_pair: a single complete pair.
paired$one_pair <- data.frame(pre = c(2.1, 3.4, 5.0), post = c(NA, 4.0, NA))

for (case in names(paired)) {
  d <- paired[[case]]
  write_tsv(d, paste0("data_paired_", case, ".tsv"))
  variants <- list(default = list(exact = NULL, correct = TRUE),
                   nocorrect = list(exact = NULL, correct = FALSE),
                   approx = list(exact = FALSE, correct = TRUE),
                   forced_exact = list(exact = TRUE, correct = TRUE))
  for (vname in names(variants)) {
    v <- variants[[vname]]
    res <- record_conditions("wilcoxon_signed_rank", paste(case, vname, sep = "/"),
                             wilcox.test(d$post, d$pre, paired = TRUE, exact = v$exact,
                                         correct = v$correct))
    label <- paste(case, vname, sep = "/")
    if (is.null(res)) {
      add_result("wilcoxon_signed_rank", label, "r_error", TRUE)
    } else {
      add_result("wilcoxon_signed_rank", label, "statistic", unname(res$statistic))
      add_result("wilcoxon_signed_rank", label, "p_value", res$p.value)
      add_result("wilcoxon_signed_rank", label, "r_method", res$method)
    }
  }
  ok <- complete.cases(d$pre, d$post)
  diff <- d$post[ok] - d$pre[ok]
  add_result("wilcoxon_signed_rank", case, "n_pairs", sum(ok))
  add_result("wilcoxon_signed_rank", case, "n_nonzero", sum(diff != 0))
  add_result("wilcoxon_signed_rank", case, "median_difference",
             if (length(diff)) median(diff) else NA)
  nz <- diff[diff != 0]
  r <- rank(abs(nz))
  add_result("wilcoxon_signed_rank", case, "rank_biserial",
             if (length(nz)) (sum(r[nz > 0]) - sum(r[nz < 0])) / sum(r) else NA)
}

# ---------------------------------------------------------------- two groups (rank sum)
twogroup <- list()
make_groups <- function(x, y) data.frame(value = c(x, y), group = rep(c("x", "y"),
                                                                      c(length(x), length(y))))
twogroup$small <- make_groups(round(rlnorm(6, log(4), 0.5), 2), round(rlnorm(8, log(7), 0.5), 2))
twogroup$tied <- make_groups(round(rlnorm(9, log(5), 0.5)), round(rlnorm(11, log(7), 0.5)))
twogroup$censored <- make_groups(pmax(round(rlnorm(15, log(2), 1), 1), lloq),
                                 pmax(round(rlnorm(12, log(3.5), 1), 1), lloq))
twogroup$large <- make_groups(round(rnorm(55, 10, 3), 6), round(rnorm(60, 11, 3), 6))
twogroup$single_each <- make_groups(3.2, 5.4)
twogroup$all_identical <- make_groups(rep(1.5, 4), rep(1.5, 5))
# no_responders: the responder group (x) is empty, as in a subgroup with no CR/PR.
twogroup$no_responders <- data.frame(value = c(NA, 2.5, 3.1, 4.4, 6.0),
                                     group = c("x", "y", "y", "y", "y"))

for (case in names(twogroup)) {
  d <- twogroup[[case]]
  write_tsv(d, paste0("data_twogroup_", case, ".tsv"))
  x <- d$value[d$group == "x"]
  y <- d$value[d$group == "y"]
  variants <- list(default = list(exact = NULL, correct = TRUE),
                   nocorrect = list(exact = NULL, correct = FALSE),
                   approx = list(exact = FALSE, correct = TRUE),
                   forced_exact = list(exact = TRUE, correct = TRUE))
  for (vname in names(variants)) {
    v <- variants[[vname]]
    label <- paste(case, vname, sep = "/")
    res <- record_conditions("mann_whitney_u", label,
                             wilcox.test(x, y, exact = v$exact, correct = v$correct))
    if (is.null(res)) {
      add_result("mann_whitney_u", label, "r_error", TRUE)
    } else {
      add_result("mann_whitney_u", label, "statistic", unname(res$statistic))
      add_result("mann_whitney_u", label, "p_value", res$p.value)
      add_result("mann_whitney_u", label, "r_method", res$method)
      add_result("mann_whitney_u", label, "rank_biserial",
                 2 * unname(res$statistic) / (sum(!is.na(x)) * sum(!is.na(y))) - 1)
    }
  }
}

# ---------------------------------------------------------------- Fisher's exact test
tables <- list(
  two_by_two = matrix(c(8, 2, 3, 9), 2),
  two_by_two_symmetric = matrix(c(5, 5, 5, 5), 2),
  etiology_two_by_four = matrix(c(4, 3, 9, 2, 6, 8, 3, 9), 2),
  three_by_three = matrix(c(12, 5, 3, 4, 10, 6, 2, 7, 11), 3),
  zero_row = matrix(c(5, 0, 2, 1, 0, 7), 3),
  large_two_by_five = matrix(c(40, 22, 35, 30, 18, 25, 42, 28, 33, 27), 2),
  single_row = matrix(c(4, 6), 1),
  two_by_two_zero_row = matrix(c(0, 3, 0, 5), 2)
)
long_tables <- do.call(rbind, lapply(names(tables), function(nm) {
  m <- tables[[nm]]
  data.frame(case = nm, row = as.vector(row(m)), col = as.vector(col(m)), count = as.vector(m))
}))
write_tsv(long_tables, "data_tables.tsv")
for (nm in names(tables)) {
  m <- tables[[nm]]
  res <- record_conditions("fisher_exact", nm, fisher.test(m, workspace = 2e7))
  if (is.null(res)) add_result("fisher_exact", nm, "r_error", TRUE)
  else add_result("fisher_exact", nm, "p_value", res$p.value)
  chi <- record_conditions("chisq_test", nm, chisq.test(m, correct = FALSE))
  if (!is.null(chi)) add_result("chisq_test", nm, "p_value", chi$p.value)
}

# ---------------------------------------------------------------- binomial intervals
binom_cases <- expand.grid(x = c(0, 1, 7, 10), n = c(10, 44), conf = c(0.95, 0.9))
binom_cases <- rbind(binom_cases, data.frame(x = c(0, 22, 44), n = 44, conf = 0.99))
for (i in seq_len(nrow(binom_cases))) {
  x <- binom_cases$x[i]; n <- binom_cases$n[i]; conf <- binom_cases$conf[i]
  label <- sprintf("%d/%d@%s", x, n, format(conf))
  cp <- binom.test(x, n, conf.level = conf)$conf.int
  wi <- prop.test(x, n, correct = FALSE, conf.level = conf)$conf.int
  add_result("binomial_ci", label, "x", x)
  add_result("binomial_ci", label, "n", n)
  add_result("binomial_ci", label, "conf_level", conf)
  add_result("binomial_ci", label, "clopper_pearson_low", cp[1])
  add_result("binomial_ci", label, "clopper_pearson_high", cp[2])
  add_result("binomial_ci", label, "wilson_low", wi[1])
  add_result("binomial_ci", label, "wilson_high", wi[2])
  # The Wilson score interval written out, to confirm prop.test(correct = FALSE) is exactly it.
  z <- qnorm((1 + conf) / 2); phat <- x / n
  centre <- (phat + z^2 / (2 * n)) / (1 + z^2 / n)
  half <- z * sqrt(phat * (1 - phat) / n + z^2 / (4 * n^2)) / (1 + z^2 / n)
  stopifnot(isTRUE(all.equal(wi[1], max(0, centre - half), tolerance = 1e-12)),
            isTRUE(all.equal(wi[2], min(1, centre + half), tolerance = 1e-12)))
}

# ---------------------------------------------------------------- diagnostic accuracy
diag <- data.frame(is_case = rep(c(TRUE, FALSE), c(14, 30)))
diag$test_positive <- ifelse(diag$is_case, runif(44) < 0.7, runif(44) < 0.25)
diag$test_positive[c(3, 20)] <- NA
diag$is_case[c(25)] <- NA
write_tsv(diag, "data_diagnostic.tsv")
ok <- complete.cases(diag)
tp <- sum(diag$test_positive[ok] & diag$is_case[ok])
fp <- sum(diag$test_positive[ok] & !diag$is_case[ok])
fn <- sum(!diag$test_positive[ok] & diag$is_case[ok])
tn <- sum(!diag$test_positive[ok] & !diag$is_case[ok])
measures <- list(sensitivity = c(tp, tp + fn), specificity = c(tn, tn + fp),
                 ppv = c(tp, tp + fp), npv = c(tn, tn + fn), accuracy = c(tp + tn, tp + fp + fn + tn))
for (nm in names(measures)) {
  k <- measures[[nm]]
  add_result("diagnostic_accuracy", nm, "numerator", k[1])
  add_result("diagnostic_accuracy", nm, "denominator", k[2])
  add_result("diagnostic_accuracy", nm, "estimate", k[1] / k[2])
  cp <- binom.test(k[1], k[2])$conf.int
  wi <- prop.test(k[1], k[2], correct = FALSE)$conf.int
  add_result("diagnostic_accuracy", nm, "clopper_pearson_low", cp[1])
  add_result("diagnostic_accuracy", nm, "clopper_pearson_high", cp[2])
  add_result("diagnostic_accuracy", nm, "wilson_low", wi[1])
  add_result("diagnostic_accuracy", nm, "wilson_high", wi[2])
}
add_result("diagnostic_accuracy", "counts", "tp", tp)
add_result("diagnostic_accuracy", "counts", "fp", fp)
add_result("diagnostic_accuracy", "counts", "fn", fn)
add_result("diagnostic_accuracy", "counts", "tn", tn)
add_result("diagnostic_accuracy", "counts", "n_not_evaluable", sum(!ok))
invisible(record_conditions("binom_test", "zero_trials", binom.test(0, 0)))

# ---------------------------------------------------------------- exact McNemar
mcn <- data.frame(a = runif(40) < 0.6)
mcn$b <- ifelse(runif(40) < 0.75, mcn$a, !mcn$a)
mcn$a[7] <- NA
write_tsv(mcn, "data_mcnemar.tsv")
mcnemar_cases <- list(
  simulated = mcn,
  no_discordant = data.frame(a = c(TRUE, FALSE, TRUE), b = c(TRUE, FALSE, TRUE)),
  one_sided = data.frame(a = c(TRUE, TRUE, TRUE, TRUE, FALSE), b = c(FALSE, FALSE, FALSE, TRUE, FALSE))
)
write_tsv(mcnemar_cases$one_sided, "data_mcnemar_one_sided.tsv")
for (nm in names(mcnemar_cases)) {
  d <- mcnemar_cases[[nm]]
  ok <- complete.cases(d)
  a <- d$a[ok]; b <- d$b[ok]
  a_only <- sum(a & !b); b_only <- sum(!a & b)
  add_result("mcnemar_exact", nm, "a_only", a_only)
  add_result("mcnemar_exact", nm, "b_only", b_only)
  add_result("mcnemar_exact", nm, "n", sum(ok))
  res <- record_conditions("mcnemar_exact", nm, binom.test(a_only, a_only + b_only, 0.5))
  if (is.null(res)) {
    add_result("mcnemar_exact", nm, "r_error", TRUE)
  } else {
    add_result("mcnemar_exact", nm, "p_value", res$p.value)
    # The exact McNemar test is the conditional binomial test on the discordant pairs:
    # 2 * P(X <= min(b, c)) under Binomial(b + c, 1/2), capped at 1.
    stopifnot(isTRUE(all.equal(res$p.value,
                               min(1, 2 * pbinom(min(a_only, b_only), a_only + b_only, 0.5)),
                               tolerance = 1e-12)))
    tab <- table(factor(a, c(TRUE, FALSE)), factor(b, c(TRUE, FALSE)))
    add_result("mcnemar_exact", nm, "r_mcnemar_test_asymptotic_p", mcnemar.test(tab)$p.value)
  }
}

# ---------------------------------------------------------------- p.adjust
padj <- list(
  with_ties_and_na = c(0.01, 0.04, NA, 0.04, 0.03, 0.2, NA, 0.01, 0.5, 0.0001),
  uniform = c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216),
  large_values = c(0.6, 0.9, 0.3, 0.95),
  all_na = c(NA_real_, NA_real_),
  single = c(0.03)
)
long_p <- do.call(rbind, lapply(names(padj), function(nm) {
  data.frame(case = nm, index = seq_along(padj[[nm]]), p = padj[[nm]])
}))
write_tsv(long_p, "data_padjust.tsv")
for (nm in names(padj)) {
  for (method in c("holm", "BH", "bonferroni", "none")) {
    adj <- p.adjust(padj[[nm]], method = method)
    for (i in seq_along(adj)) add_result("p_adjust", paste(nm, method, sep = "/"),
                                         as.character(i), adj[i])
  }
}

# ---------------------------------------------------------------- logistic regression
n_glm <- 80
glm_data <- data.frame(il6_change = round(rnorm(n_glm, 0.5, 1.2), 3),
                       first_line = rbinom(n_glm, 1, 0.55))
lin <- -1.2 + 0.9 * glm_data$il6_change + 0.8 * glm_data$first_line
glm_data$responder <- rbinom(n_glm, 1, plogis(lin))
glm_data$il6_change[c(4, 33)] <- NA
glm_data$responder[c(60)] <- NA
write_tsv(glm_data, "data_glm.tsv")
fit <- glm(responder ~ il6_change + first_line, family = binomial, data = glm_data,
           control = glm.control(epsilon = 1e-14, maxit = 100))
coefs <- summary(fit)$coefficients
ci <- confint.default(fit)
glm_out <- data.frame(term = rownames(coefs), estimate = coefs[, 1], std_error = coefs[, 2],
                      z = coefs[, 3], p_value = coefs[, 4], odds_ratio = exp(coefs[, 1]),
                      ci_low = exp(ci[, 1]), ci_high = exp(ci[, 2]), n = nobs(fit),
                      n_events = sum(fit$y))
write_tsv(glm_out, "glm_results.tsv")
# separation: the outcome is perfectly predicted by il6_change > 0.
sep <- data.frame(il6_change = c(-2.1, -1.3, -0.4, -0.2, 0.3, 0.8, 1.4, 2.2),
                  first_line = c(1, 0, 1, 0, 1, 0, 1, 0),
                  responder = c(0, 0, 0, 0, 1, 1, 1, 1))
write_tsv(sep, "data_glm_separation.tsv")
invisible(record_conditions("logistic_regression", "separation",
                            glm(responder ~ il6_change + first_line, family = binomial,
                                data = sep)))

# ---------------------------------------------------------------- write
write_tsv(do.call(rbind, results), "results.tsv")
write_tsv(do.call(rbind, conditions), "conditions.tsv")
versions <- data.frame(
  item = c("R", "stats", "script", "seed"),
  value = c(R.version.string, as.character(packageVersion("stats")),
            "tests/r/make_core_fixtures.R", "20250101"))
write_tsv(versions, "versions.tsv")
writeLines(c(
  "# Fixtures for il6hcc.stats core tests",
  "",
  paste0("Made by `tests/r/make_core_fixtures.R` (run `Rscript tests/r/make_core_fixtures.R` ",
         "from the repository root) with ", R.version.string, ", package stats ",
         as.character(packageVersion("stats")), " (base R only; no other package used)."),
  "",
  "- `data_*.tsv`: simulated data (set.seed(20250101)); NA marks a missing value.",
  "- `results.tsv`: fn, case, key, value; R's result for each function and case, 17 significant digits.",
  "  Case `<data>/<variant>`: default = R defaults; nocorrect = correct = FALSE;",
  "  approx = exact = FALSE; forced_exact = exact = TRUE.",
  "- `glm_results.tsv`: glm(binomial) coefficients, Wald z, p, exp(confint.default).",
  "- `conditions.tsv`: R's errors and warnings for each call (degenerate input documented).",
  "- `versions.tsv`: R version and the script that made these files."
), file.path(out_dir, "README.md"))
