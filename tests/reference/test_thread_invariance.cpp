// Results must not depend on the number of threads (DESIGN: reproducibility). Spikes, recorded
// traces and final weights are compared bit for bit for 1, 2 and 3 threads on the short NEST
// regression network (SPEC 13.2, with Adam and per-step optimisation) and on a random sparse
// network built with the counter-based connection rules.

#include <gtest/gtest.h>

#include "eprop/simulation.h"
#include "support/random_networks.h"
#include "support/regression_networks.h"

namespace eprop {
namespace {

using Outcome = test_support::RunOutcome;

Outcome run_with_threads(NetworkSpec spec, std::size_t threads) {
  spec.kernel.threads = threads;
  return test_support::run_outcome(spec);
}

using test_support::expect_identical;

NetworkSpec random_sparse_network() {
  test_support::RandomNetworkSettings s;
  s.precision = Precision::single_precision;
  s.seed = 7;
  s.n_in = 20;
  s.n_rec = 37;
  s.input_times.resize(s.n_in);
  for (std::size_t i = 0; i < s.n_in; ++i) {
    for (double t = 1.0 + static_cast<double>(i % 7); t < 300.0;
         t += 9.0 + static_cast<double>(i % 5)) {
      s.input_times[i].push_back(t);
    }
  }
  s.input_flush_interval = 25.0;
  s.model = "eprop_iaf_adapt";
  s.rec_params = {{"V_th", 0.3},          {"tau_m", 15.0},
                  {"t_ref", 1.0},         {"c_reg", 0.2},
                  {"adapt_beta", 0.1},    {"adapt_tau", 50.0},
                  {"eprop_isi_trace_cutoff", 30.0}, {"flush_event_send_interval", 40.0}};
  s.optimizer.type = "adam";
  s.optimizer.eta = 0.01;
  return test_support::random_learning_network(s);
}

TEST(ThreadInvariance, RegressionNetworkIsBitIdentical) {
  auto config = test_support::regression_config("eprop_iaf", "adam");
  config.recording.spikes = true;
  const NetworkSpec spec = tasks::sine_task_network(config);
  const Outcome one = run_with_threads(spec, 1);
  expect_identical(one, run_with_threads(spec, 2));
  expect_identical(one, run_with_threads(spec, 3));
}

TEST(ThreadInvariance, RandomSparseNetworkIsBitIdentical) {
  const NetworkSpec spec = random_sparse_network();
  const Outcome one = run_with_threads(spec, 1);
  ASSERT_FALSE(one.spikes.at(0).index.empty()) << "the test network must be active";
  expect_identical(one, run_with_threads(spec, 2));
  expect_identical(one, run_with_threads(spec, 3));
}

}  // namespace
}  // namespace eprop
