#include "tasks/pattern_task.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>

#include "core/nest_random.h"
#include "eprop/error.h"

namespace eprop::tasks {
namespace {

constexpr double kTauMMean = 30.0;  // ms, mean of the per-neuron tau_m
constexpr double kTauMStd = 2.0;
constexpr double kAdaptTau = 2000.0;

// numpy's pairwise summation of n doubles (blocks of 8 partial sums up to 128 values, halves
// above), which np.mean uses; the reduction starts from the first element.
double pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += a[i];
    return s;
  }
  if (n <= 128) {
    std::array<double, 8> r{};
    for (std::size_t j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += a[i];
    return s;
  }
  std::size_t half = n / 2;
  half -= half % 8;
  return pairwise_sum(a, half) + pairwise_sum(a + half, n - half);
}

double numpy_mean(const std::vector<double>& y) {
  return (y[0] + pairwise_sum(y.data() + 1, y.size() - 1)) / static_cast<double>(y.size());
}

// np.interp(x, xp = 0, 1, ..., fp.size() - 1, fp): slope * (x - xp[j]) + fp[j], fp's last value
// from its last grid point on.
double interp_unit_grid(double x, const std::vector<double>& fp) {
  const auto last = static_cast<double>(fp.size() - 1);
  if (x >= last) return fp.back();
  const auto j = static_cast<std::size_t>(x);
  const double slope = (fp[j + 1] - fp[j]) / 1.0;
  return slope * (x - static_cast<double>(j)) + fp[j];
}

}  // namespace

std::vector<std::vector<double>> lemniscate_targets(std::int64_t sequence) {
  std::vector<std::vector<double>> targets;
  for (const double cycles : {1.0, 2.0}) {
    std::vector<double> y = numpy_linspace(0.0, cycles * 2.0 * std::numbers::pi, sequence);
    for (double& v : y) v = std::sin(v);
    targets.push_back(std::move(y));
  }
  return targets;
}

std::vector<std::array<double, 2>> read_handwriting_data(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw DataError(path.string() + ": cannot open the handwriting data");
  std::vector<std::array<double, 2>> rows;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream fields(line);
    std::array<double, 2> row{};
    std::string extra;
    if (!(fields >> row[0] >> row[1]) || (fields >> extra) || !std::isfinite(row[0]) ||
        !std::isfinite(row[1])) {
      throw DataError(path.string() + ":" + std::to_string(number) + ": expected two numbers " +
                      "'dx dy', got '" + line + "'");
    }
    rows.push_back(row);
  }
  if (rows.size() < 2) {
    throw DataError(path.string() + ": at least 2 rows of 'dx dy' required, found " +
                    std::to_string(rows.size()));
  }
  return rows;
}

std::vector<std::vector<double>> handwriting_targets(const std::vector<std::array<double, 2>>& data,
                                                     std::int64_t steps_per_point) {
  const auto steps = static_cast<std::int64_t>(data.size()) * steps_per_point;
  std::vector<std::vector<double>> targets;
  for (std::size_t column = 0; column < 2; ++column) {
    std::vector<double> y(data.size());
    double sum = 0.0;
    double max_abs = 0.0;
    for (std::size_t i = 0; i < data.size(); ++i) {
      sum += data[i][column];
      y[i] = sum;
      max_abs = std::max(max_abs, std::abs(sum));
    }
    if (max_abs == 0.0) throw DataError("handwriting data: a column never leaves zero");
    for (double& v : y) v /= max_abs;
    const double mean = numpy_mean(y);
    for (double& v : y) v -= mean;
    std::vector<double> target(static_cast<std::size_t>(steps));
    for (std::int64_t t = 0; t < steps; ++t) {
      const double x = static_cast<double>(t) / static_cast<double>(steps_per_point);
      target[static_cast<std::size_t>(t)] = interp_unit_grid(x, y);
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

std::vector<double> nest_tau_m_draws(std::uint32_t seed, std::size_t n_in, std::size_t n_rec,
                                     double mean, double std) {
  if (seed == 0) throw ConfigError("pattern task: NEST's rng_seed (data.seed) must be >= 1");
  NestRandomStreams streams(seed, 1);
  // Node ids count from 1: n_in spike generators, n_in parrots, then the recurrent neurons.
  return streams.normal_for_nodes(2 * n_in + 1, n_rec, mean, std);
}

SineTaskConfig pattern_task_config(std::vector<std::vector<double>> targets, std::uint32_t seed) {
  SineTaskConfig c = sine_bsshslm_config();
  c.model = "eprop_iaf_adapt_bsshslm_2020";
  c.seed = seed;
  c.n_in = 100;
  c.n_rec = 200;
  c.n_out = targets.size();
  c.sequence = targets.empty() ? 0 : static_cast<std::int64_t>(targets.front().size());
  c.fixed_targets = std::move(targets);
  c.optimizer = "adam";
  c.eta = 5e-3;
  c.adam_epsilon = 1e-8;
  c.tau_m_readout = 50.0;
  c.tau_m_per_neuron = nest_tau_m_draws(seed, c.n_in, c.n_rec, kTauMMean, kTauMStd);
  c.recurrent_overrides = {
      {"adapt_tau", kAdaptTau},
      {"adapt_beta", 1.7 * (1.0 - std::exp(-1.0 / kAdaptTau)) / (1.0 - std::exp(-1.0 / kTauMMean))},
      {"C_m", 250.0},
      {"c_reg", 150.0},
      {"f_target", 20.0},
      {"tau_m", kTauMMean},
  };
  return c;
}

SineTaskConfig pattern_task_config_eprop_plus(std::vector<std::vector<double>> targets,
                                              PatternTask task, std::uint32_t seed) {
  SineTaskConfig c = pattern_task_config(std::move(targets), seed);
  c.model = "eprop_iaf_adapt";
  c.kappa = kPatternEpropPlusKappa;
  c.eta = kPatternEpropPlusEta;
  c.optimize_each_step = false;
  c.tau_m_readout = 100.0;
  c.extension_sim = SineTaskConfig{}.extension_sim;
  c.surrogate_gradient_width = 0.03;
  c.recurrent_overrides["c_reg"] = task == PatternTask::lemniscate ? 0.12 : 0.08;
  c.recurrent_overrides["eprop_isi_trace_cutoff"] = 100.0;
  return c;
}

}  // namespace eprop::tasks
