# Known answers for the planning stage's simulated power (tests/test_planning_known_power.py).
#
# Run from the repository root:  Rscript tests/r/make_planning_fixtures.R
# Writes tests/fixtures/planning/known_power.tsv (one row per case: its design and the analytic
# power) and tests/fixtures/planning/versions.tsv (R and pROC versions).
#
# - auc_vs_half: pROC::power.roc.test (Obuchowski 1994) for one AUC against 0.5, binormal data
#   with equal variances (cases N(A, 1), controls N(0, 1), AUC = pnorm(A / sqrt(2))).
# - auc_paired: pROC::power.roc.test with Obuchowski-McClish binormal parameters for two
#   correlated AUCs (A1, B1, A2, B2, correlations rn in controls and ra in cases). Obuchowski's
#   covariance is an approximation that does not hold everywhere: for AUC 0.8 vs 0.7,
#   rn = ra = 0.5, 100 cases and 100 controls it gives power 0.751, while 400 simulated studies
#   tested with pROC's own roc.test(method = "delong", paired = TRUE) reject in 0.80 of them
#   (and the Python simulation in 0.81); the designs below are ones where formula and
#   simulation agree, so that the check tests the simulation and not the approximation.
# - signed_rank: Noether's power of the two-sided signed-rank test for a normal shift delta
#   (sd 1): p' = P(D + D' > 0) = pnorm(sqrt(2) delta), power = pnorm(sqrt(3 n) (p' - 1/2) -
#   qnorm(1 - alpha / 2)) (Noether GE. J Am Stat Assoc 1987;82:645-647).
# - mcnemar: exact power of the two-sided exact McNemar test (binom.test on the discordant
#   pairs) for n pairs with discordant-pair probabilities p10 and p01, summing over every
#   number of discordant pairs and every split of them.
# Numbers are written with 17 significant digits.

suppressPackageStartupMessages(library(pROC))

out_dir <- file.path("tests", "fixtures", "planning")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
alpha <- 0.05

auc_one <- function(auc, ncases, ncontrols) {
  power <- power.roc.test(auc = auc, ncases = ncases, ncontrols = ncontrols,
                          sig.level = alpha)$power
  data.frame(case = "auc_vs_half", n = ncases + ncontrols, ncases = ncases,
             ncontrols = ncontrols, a1 = sqrt(2) * qnorm(auc), a2 = NA, rn = NA, ra = NA,
             delta = NA, p10 = NA, p01 = NA, alpha = alpha, power = power)
}

auc_two <- function(auc1, auc2, rn, ra, ncases, ncontrols) {
  a1 <- sqrt(2) * qnorm(auc1)
  a2 <- sqrt(2) * qnorm(auc2)
  pars <- list(A1 = a1, B1 = 1, A2 = a2, B2 = 1, rn = rn, ra = ra, delta = auc1 - auc2)
  power <- power.roc.test(pars, ncases = ncases, ncontrols = ncontrols, sig.level = alpha)$power
  data.frame(case = "auc_paired", n = ncases + ncontrols, ncases = ncases,
             ncontrols = ncontrols, a1 = a1, a2 = a2, rn = rn, ra = ra, delta = NA, p10 = NA,
             p01 = NA, alpha = alpha, power = power)
}

noether <- function(delta, n) {
  p_prime <- pnorm(sqrt(2) * delta)
  power <- pnorm(sqrt(3 * n) * abs(p_prime - 0.5) - qnorm(1 - alpha / 2))
  data.frame(case = "signed_rank", n = n, ncases = NA, ncontrols = NA, a1 = NA, a2 = NA,
             rn = NA, ra = NA, delta = delta, p10 = NA, p01 = NA, alpha = alpha, power = power)
}

mcnemar_exact_power <- function(n, p10, p01) {
  share <- p10 / (p10 + p01)
  power <- 0
  for (d in 1:n) {
    rejects <- vapply(0:d, function(b) binom.test(b, d, 0.5)$p.value < alpha, logical(1))
    power <- power + dbinom(d, n, p10 + p01) * sum(dbinom(0:d, d, share)[rejects])
  }
  data.frame(case = "mcnemar", n = n, ncases = NA, ncontrols = NA, a1 = NA, a2 = NA, rn = NA,
             ra = NA, delta = NA, p10 = p10, p01 = p01, alpha = alpha, power = power)
}

cases <- rbind(
  auc_one(0.65, 60, 60),
  auc_one(0.7, 30, 45),
  auc_two(0.65, 0.6, 0.5, 0.5, 500, 500),
  auc_two(0.7, 0.62, 0.4, 0.3, 300, 300),
  noether(0.15, 400),
  noether(0.1, 800),
  mcnemar_exact_power(40, 0.25, 0.05),
  mcnemar_exact_power(25, 0.3, 0.1)
)
numeric <- vapply(cases, is.numeric, logical(1))
cases[numeric] <- lapply(cases[numeric], function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x)))
write.table(cases, file.path(out_dir, "known_power.tsv"), sep = "\t", quote = FALSE,
            row.names = FALSE)
versions <- data.frame(
  software = c("R", "pROC"),
  version = c(R.version.string, as.character(packageVersion("pROC")))
)
write.table(versions, file.path(out_dir, "versions.tsv"), sep = "\t", quote = FALSE,
            row.names = FALSE)
