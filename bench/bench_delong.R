# pROC side of bench/bench_delong.py (a benchmark, not a test).
#
# Usage: Rscript bench/bench_delong.R DATA_DIR REPEATS N1 [N2 ...]
# For each n, reads the data bench_delong.py wrote to DATA_DIR (delong_<n>_a.f64 and
# delong_<n>_b.f64: little-endian doubles; delong_<n>_case.i32: 0/1 little-endian int32), and
# times, with system.time (elapsed), the same work as delong_paired_test: two ROC curves with
# pROC::roc() and roc.test(method = "delong", paired = TRUE). The best of REPEATS runs is kept.
# Prints one tab-separated line per n: n, seconds, z.

suppressPackageStartupMessages(library(pROC))

args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[1]
repeats <- as.integer(args[2])
sizes <- as.integer(args[-(1:2)])

read_doubles <- function(path, n) readBin(path, what = "double", n = n, size = 8, endian = "little")

for (n in sizes) {
  prefix <- file.path(data_dir, sprintf("delong_%d", n))
  marker_a <- read_doubles(paste0(prefix, "_a.f64"), n)
  marker_b <- read_doubles(paste0(prefix, "_b.f64"), n)
  is_case <- readBin(paste0(prefix, "_case.i32"), what = "integer", n = n, size = 4,
                     endian = "little") == 1L
  best <- Inf
  for (i in seq_len(repeats)) {
    elapsed <- system.time({
      roc_a <- roc(is_case, marker_a, levels = c(FALSE, TRUE), direction = "<", quiet = TRUE)
      roc_b <- roc(is_case, marker_b, levels = c(FALSE, TRUE), direction = "<", quiet = TRUE)
      test <- roc.test(roc_a, roc_b, method = "delong", paired = TRUE)
    })[["elapsed"]]
    best <- min(best, elapsed)
  }
  cat(sprintf("%d\t%.17g\t%.17g\n", n, best, test$statistic))
}
