#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "eprop/error.h"
#include "tasks/sine_task.h"

namespace eprop::tasks {
namespace {

// Reference values from Debian's numpy 1.24.2, transcribing the NEST test script's draws
// (SPEC 13.2):
//   np.random.seed(1); s = 1.0 - 0.97
//   w_in = np.array(np.random.randn(100, 100).T / np.sqrt(100), dtype=np.float32)
//   w_rec = np.array(np.random.randn(100, 100).T / np.sqrt(100), dtype=np.float32)
//   np.fill_diagonal(w_rec, 0.0)
//   w_out = np.array(np.random.randn(100, 1).T / np.sqrt(100), dtype=np.float32) * s
//   b = np.array(np.random.randn(100, 1) / np.sqrt(100), dtype=np.float32)
//   eprop_iaf: w_in *= s; w_rec *= s; b *= s        psc_delta models: b /= s
//   bools = (np.random.rand(seq, 100) < 0.05).swapaxes(0, 1)
//   then uniform(0.5, 2, 4), uniform(0, 2 pi, 4) and the superimposed sines.
// The whole arrays (4 models, sequences 100 and 1000, n_iter up to 200) were also compared
// element by element, bit-exactly, when this file was written.

SineTaskConfig regression_config(const std::string& model) {
  SineTaskConfig c;
  c.model = model;
  c.n_iter = 5;
  c.sequence = 100;
  return c;
}

TEST(SineTask, DrawsMatchNumpyForEpropIaf) {
  const SineTaskData d = draw_sine_task_data(regression_config("eprop_iaf"));
  ASSERT_EQ(d.w_in.size(), 100U * 100U);
  EXPECT_EQ(d.w_in[0], 0.004873035941272974);
  EXPECT_EQ(d.w_in[1], -0.0013413856504485011);
  EXPECT_EQ(d.w_in[2], -0.001202634535729885);
  EXPECT_EQ(d.w_in[3], 0.006197349634021521);
  EXPECT_EQ(d.w_in[99 * 100 + 98], -0.0016035155858844519);
  EXPECT_EQ(d.w_rec[1 * 100 + 0], 0.0006845094612799585);
  for (std::size_t j = 0; j < 100; ++j) {
    EXPECT_EQ(d.w_rec[j * 100 + j], 0.0);
  }
  ASSERT_EQ(d.w_out.size(), 100U);
  EXPECT_EQ(d.w_out[0], -0.005794691387563944);
  EXPECT_EQ(d.w_out[3], -0.0006183346849866211);
  ASSERT_EQ(d.b.size(), 100U);
  EXPECT_EQ(d.b[0], -0.0010437952587381005);
  EXPECT_EQ(d.b[1], -0.005480294581502676);
  EXPECT_EQ(d.b[2], 0.003025984624400735);
  EXPECT_EQ(d.b[3], 0.0007318846764974296);
}

TEST(SineTask, DrawsMatchNumpyForPscDelta) {
  const SineTaskData d = draw_sine_task_data(regression_config("eprop_iaf_psc_delta"));
  EXPECT_EQ(d.w_in[0], 0.16243453323841095);  // unscaled
  EXPECT_EQ(d.w_in[3], 0.206578329205513);
  EXPECT_EQ(d.w_rec[1 * 100 + 0], 0.022816982120275497);
  EXPECT_EQ(d.w_out[0], -0.005794691387563944);  // W_out is always scaled
  EXPECT_EQ(d.b[0], -1.159772515296936);         // B / scale in float32
  EXPECT_EQ(d.b[1], -6.089216709136963);
}

TEST(SineTask, FrozenInputRepeatsEveryIteration) {
  const SineTaskData d = draw_sine_task_data(regression_config("eprop_iaf"));
  ASSERT_EQ(d.input_spike_times.size(), 100U);
  // python: np.nonzero(bools[0])[0] = [4, 5, 17, 41, 57, 69, 78]; times k + 1 + 100 i.
  const std::vector<double> steps0{4, 5, 17, 41, 57, 69, 78};
  std::vector<double> expected;
  for (int iter = 0; iter < 5; ++iter) {
    for (const double k : steps0) {
      expected.push_back(k + 1.0 + 100.0 * iter);
    }
  }
  EXPECT_EQ(d.input_spike_times[0], expected);
  EXPECT_EQ(d.input_spike_times[99].front(), 23.0);  // bools[99] = [22, 76, 78, 92, 96]
  std::size_t total = 0;
  for (const auto& t : d.input_spike_times) {
    total += t.size();
  }
  EXPECT_EQ(total, 5U * 505U);  // int(bools.sum()) = 505 per iteration
}

TEST(SineTask, TargetIsZeroForShortSequencesAndSinesForLongOnes) {
  const SineTaskData short_task = draw_sine_task_data(regression_config("eprop_iaf"));
  ASSERT_EQ(short_task.target.size(), 100U);
  EXPECT_TRUE(std::all_of(short_task.target.begin(), short_task.target.end(),
                          [](double v) { return v == 0.0; }));
  SineTaskConfig c;
  c.n_iter = 1;
  const SineTaskData long_task = draw_sine_task_data(c);
  ASSERT_EQ(long_task.target.size(), 1000U);
  // python: tg[[0, 1, 250, 999]] of generate_superimposed_sines(1000, [1000, 500, 333, 200]).
  EXPECT_EQ(long_task.target[0], 0.0);
  EXPECT_DOUBLE_EQ(long_task.target[1], 0.01104992767651868);
  EXPECT_DOUBLE_EQ(long_task.target[250], -0.00916276594654045);
  EXPECT_NEAR(long_task.target[999], -1.0413201667390497e-15, 1e-14);
  const double max_abs =
      std::abs(*std::max_element(long_task.target.begin(), long_task.target.end(),
                                 [](double a, double b) { return std::abs(a) < std::abs(b); }));
  EXPECT_EQ(max_abs, 1.0);
}

const PopulationSpec& find_population(const NetworkSpec& net, std::string_view name) {
  const auto it = std::find_if(net.populations.begin(), net.populations.end(),
                               [&](const PopulationSpec& p) { return p.name == name; });
  if (it == net.populations.end()) {
    throw std::runtime_error("no population " + std::string(name));
  }
  return *it;
}

TEST(SineTask, NetworkFollowsTheNestScript) {
  SineTaskConfig c = regression_config("eprop_iaf");
  const NetworkSpec net = sine_task_network(c);
  EXPECT_EQ(net.simulate, std::vector<double>{505.0});
  EXPECT_EQ(find_population(net, sine_pop::recurrent).n, 100U);
  const auto& rec_params = find_population(net, sine_pop::recurrent).params;
  EXPECT_EQ(std::get<double>(rec_params.at("c_reg")), 3.0);
  EXPECT_EQ(std::get<double>(rec_params.at("flush_event_send_interval")), 100.0);
  EXPECT_EQ(std::get<std::string>(rec_params.at("surrogate_gradient_function")),
            "piecewise_linear");
  const auto& target = find_population(net, sine_pop::target_generator);
  ASSERT_EQ(target.amplitude_times.size(), 1U);
  EXPECT_EQ(target.amplitude_times[0].front(), 2.0);
  EXPECT_EQ(target.amplitude_times[0].back(), 501.0);
  EXPECT_EQ(find_population(net, sine_pop::final_update_generator).spike_times[0],
            std::vector<double>{501.0});

  int plastic = 0;
  for (const ConnectionSpec& conn : net.connections) {
    if (conn.synapse == "eprop_synapse") {
      ++plastic;
      EXPECT_EQ(conn.optimizer.eta, 1e-4 * (1.0 - 0.97) * (1.0 - 0.97));
      EXPECT_FALSE(conn.optimizer.optimize_each_step);
      EXPECT_EQ(conn.allow_autapses, conn.source != conn.target);
    }
    EXPECT_EQ(conn.delay, std::vector<double>{1.0});
  }
  EXPECT_EQ(plastic, 3);
  ASSERT_FALSE(net.recorders.empty());
  const RecorderSpec& mm = net.recorders.front();
  EXPECT_EQ(mm.population, sine_pop::readout);
  EXPECT_EQ(mm.start, 2.0);
  EXPECT_EQ(mm.stop, 502.0);
  EXPECT_EQ(mm.record_from, (std::vector<std::string>{"readout_signal", "target_signal"}));
}

TEST(SineTask, OptionalRecordersAndNoFinalUpdate) {
  SineTaskConfig c = regression_config("eprop_iaf_psc_delta_adapt");
  c.final_update = false;
  c.recording = {true, 3, true, true};
  const NetworkSpec net = sine_task_network(c);
  EXPECT_TRUE(std::none_of(net.populations.begin(), net.populations.end(), [](const auto& p) {
    return p.name == sine_pop::final_update_generator;
  }));
  ASSERT_EQ(net.recorders.size(), 1U + 1U + 2U + 3U);
  EXPECT_EQ(net.recorders[1].neurons, (std::vector<std::int64_t>{0, 1, 2}));
  const auto& rec_params = find_population(net, sine_pop::recurrent).params;
  EXPECT_EQ(std::get<double>(rec_params.at("V_th")), 0.5);
  EXPECT_EQ(std::get<double>(rec_params.at("c_reg")), 2.0 / 100.0 / ((1.0 - 0.97) * (1.0 - 0.97)));
  for (std::size_t w = 4; w < 7; ++w) {
    const auto conn = static_cast<std::size_t>(net.recorders[w].connection);
    EXPECT_EQ(net.connections.at(conn).synapse, "eprop_synapse");
  }
}

TEST(SineTask, RejectsBadConfigs) {
  SineTaskConfig c;
  c.model = "iaf_psc_alpha";
  EXPECT_THROW((void)sine_task_network(c), ConfigError);
  c = SineTaskConfig{};
  c.sequence = 1;
  EXPECT_THROW((void)draw_sine_task_data(c), ConfigError);
}

MultimeterRecording fake_recording() {
  // Two readouts, 2 iterations of 3 steps, rows interleaved by time as NEST records them.
  MultimeterRecording rec;
  rec.population = "readout";
  rec.variables = {"V_m", "target_signal", "readout_signal"};
  rec.values.resize(3);
  for (int t = 0; t < 6; ++t) {
    for (int n = 0; n < 2; ++n) {
      rec.index.push_back(n);
      rec.time.push_back(3.0 + t);
      rec.values[0].push_back(0.0);
      rec.values[1].push_back(1.0);
      rec.values[2].push_back(1.0 + (n + 1) * (t < 3 ? 1.0 : 2.0));
    }
  }
  return rec;
}

TEST(SineTask, LossIsHalfMeanOverReadoutsOfSummedSquares) {
  const std::vector<double> loss = sine_task_losses(fake_recording(), 2, 3);
  // iteration 0: errors 1 (readout 0), 2 (readout 1): 0.5 * (3*1 + 3*4) / 2 = 3.75
  // iteration 1: errors 2, 4: 0.5 * (3*4 + 3*16) / 2 = 15
  EXPECT_EQ(loss, (std::vector<double>{3.75, 15.0}));
}

TEST(SineTask, LossRejectsIncompleteRecordings) {
  MultimeterRecording rec = fake_recording();
  EXPECT_THROW((void)sine_task_losses(rec, 3, 3), DataError);
  rec.variables[1] = "error_signal";
  EXPECT_THROW((void)sine_task_losses(rec, 2, 3), DataError);
  MultimeterRecording empty;
  empty.variables = {"readout_signal", "target_signal"};
  empty.values.resize(2);
  EXPECT_THROW((void)sine_task_losses(empty, 2, 3), DataError);
}

}  // namespace
}  // namespace eprop::tasks
