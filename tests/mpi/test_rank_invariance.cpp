// Issue 11: results do not depend on the number of ranks and threads. Every rank runs each
// network twice: distributed over all ranks of the job (with 1 and 2 threads per rank), and
// alone on one thread. Recordings, spikes and final weights must be equal bit for bit, in both
// model families, both integrations and both precisions. Under plain ctest (one process) the
// distributed run is a single rank and the test still checks thread invariance.

#include <gtest/gtest.h>

#include <memory>

#include "comm/communicator.h"
#include "eprop/simulation.h"
#include "support/random_networks.h"
#include "support/regression_networks.h"
#include "tasks/evidence_task.h"
#include "tasks/paper_bench.h"
#include "tasks/sine_task.h"

namespace eprop {
namespace {

using Outcome = test_support::RunOutcome;

using test_support::expect_identical;

/// The network alone on one thread, then on every rank with 1 and 2 threads per rank.
void expect_rank_and_thread_invariant(NetworkSpec spec) {
  spec.kernel.threads = 1;
  const Outcome alone = test_support::run_outcome(spec, std::make_shared<SerialCommunicator>());
  for (const std::size_t threads : {1U, 2U}) {
    SCOPED_TRACE(testing::Message() << threads << " threads per rank");
    spec.kernel.threads = threads;
    expect_identical(alone, test_support::run_outcome(spec, world_communicator()));
  }
}

NetworkSpec random_network(Precision precision, EligibilityIntegration integration) {
  test_support::RandomNetworkSettings s;
  s.precision = precision;
  s.seed = 5;
  s.n_in = 13;
  s.n_rec = 29;
  s.input_times.resize(s.n_in);
  for (std::size_t i = 0; i < s.n_in; ++i) {
    for (double t = 1.0 + static_cast<double>(i % 5); t < 250.0;
         t += 7.0 + static_cast<double>(i % 4)) {
      s.input_times[i].push_back(t);
    }
  }
  s.input_flush_interval = 20.0;
  s.model = "eprop_iaf_adapt";
  s.rec_params = {{"V_th", 0.3},       {"tau_m", 15.0},      {"t_ref", 1.0},
                  {"c_reg", 0.2},      {"adapt_beta", 0.1},  {"adapt_tau", 50.0},
                  {"eprop_isi_trace_cutoff", 30.0},          {"flush_event_send_interval", 40.0}};
  s.optimizer.type = "adam";
  s.optimizer.eta = 0.01;
  NetworkSpec spec = test_support::random_learning_network(s);
  spec.kernel.eligibility_integration = integration;
  return spec;
}

TEST(RankInvariance, RandomNetworkClosedFormDouble) {
  expect_rank_and_thread_invariant(
      random_network(Precision::double_precision, EligibilityIntegration::closed_form));
}

TEST(RankInvariance, RandomNetworkStepwiseFloat) {
  expect_rank_and_thread_invariant(
      random_network(Precision::single_precision, EligibilityIntegration::stepwise));
}

TEST(RankInvariance, SineRegressionNetworkWithSpikes) {
  auto config = test_support::regression_config("eprop_iaf_adapt", "adam");
  config.recording.spikes = true;
  expect_rank_and_thread_invariant(tasks::sine_task_network(config));
}

TEST(RankInvariance, BsshslmEvidenceNetwork) {
  tasks::EvidenceTaskConfig c;
  c.batch_size = 2;
  c.precision = Precision::double_precision;
  const tasks::EvidenceTaskData data = tasks::draw_evidence_task_data(c, 2);
  expect_rank_and_thread_invariant(tasks::evidence_task_network(c, data));
}

TEST(RankInvariance, PoissonInputOfThePaperBenchmark) {
  // poisson_generator trains (engine/poisson_input.h) are keyed by target, never by rank or
  // thread: the e-prop+ weights, which integrate the input through the membrane, must agree; and
  // parrots fed by the same generators must spike alike, in pieces of simulated time.
  tasks::PaperBenchConfig c;
  c.n_rec = 40;
  c.n_in = 12;
  c.indegree_rec = 8;
  c.indegree_in = 6;
  c.indegree_out = 5;
  c.rate_rec = 40.0;
  c.rate_in = 300.0;
  NetworkSpec spec = tasks::paper_bench_network(tasks::resolve(c));
  spec.populations.push_back({"parrots", "parrot_neuron", 30, {}, {}, {}, {}, {}});
  ConnectionSpec to_parrots;
  to_parrots.source = "input";
  to_parrots.target = "parrots";
  to_parrots.rule = ConnectionRule::fixed_indegree;
  to_parrots.indegree = 3;
  spec.connections.push_back(to_parrots);
  RecorderSpec parrot_spikes;
  parrot_spikes.type = RecorderType::spike_recorder;
  parrot_spikes.population = "parrots";
  spec.recorders.push_back(parrot_spikes);
  spec.simulate = {70.0, 45.0, 85.0};
  expect_rank_and_thread_invariant(spec);
}

}  // namespace
}  // namespace eprop
