// NEST parity of the `_bsshslm_2020` family on the sine-wave task: SPEC 13.5 (B1).
//
// Provenance: testsuite/pytests/synapses/test_eprop_bsshslm_2020_plasticity.py of NEST 3.10,
// test_eprop_regression (NEST reference generated upstream with NEST@3304c6b5c, numpy 1.26.0;
// identical in v3.7 - v3.10), confirmed in SPEC 0 by running that file on a NEST build of
// main@84b06d8 with numpy 1.24.2. The same five values are the first five iterations of
// ../shared/baseline/nest_baseline_losses.csv, column sine_bsshslm.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eprop/simulation.h"
#include "tasks/sine_task.h"

namespace eprop {
namespace {

// Pure relative tolerance; the absolute floor is 1e-12 of the values' scale.
void expect_relative(const std::vector<double>& actual, const std::vector<double>& expected,
                     double rtol) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_LE(std::abs(actual[i] - expected[i]), rtol * std::abs(expected[i]) + 1e-12)
        << "iteration " << i << ": " << actual[i] << " vs NEST " << expected[i];
  }
}

// SPEC 13.5: 5 iterations of the 11.2 network, no final-update spike, Simulate(5005).
tasks::SineTaskConfig b1_config() {
  tasks::SineTaskConfig c = tasks::sine_bsshslm_config();
  c.n_iter = 5;
  c.precision = Precision::double_precision;
  c.final_update = false;
  return c;
}

TEST(ReferenceBsshslmRegression, B1LossesMatchNest) {
  const tasks::SineTaskConfig config = b1_config();
  const NetworkSpec spec = tasks::sine_task_network(config);
  ASSERT_EQ(spec.simulate, std::vector<double>{5005.0});
  Simulation sim(spec);
  sim.run_schedule();
  const std::vector<MultimeterRecording> multimeters = sim.multimeters();
  const MultimeterRecording& out = multimeters.at(0);
  // Loop times 4..5003 recorded (timestamps 5..5004).
  ASSERT_EQ(out.time.size(), 5000U);
  EXPECT_EQ(out.time.front(), 5.0);
  EXPECT_EQ(out.time.back(), 5004.0);
  const std::vector<double> loss = tasks::sine_task_losses(out, config.n_iter, config.sequence);
  expect_relative(loss,
                  {101.964356999041, 103.466731126205, 103.340607074771, 103.680244037686,
                   104.412775748752},
                  1e-8);
}

// TensorFlow reference of the same test (rtol 1e-7): the family reproduces Bellec et al.'s code.
TEST(ReferenceBsshslmRegression, B1LossesMatchTensorFlow) {
  const tasks::SineTaskConfig config = b1_config();
  Simulation sim(tasks::sine_task_network(config));
  sim.run_schedule();
  const std::vector<double> loss =
      tasks::sine_task_losses(sim.multimeters().at(0), config.n_iter, config.sequence);
  expect_relative(loss,
                  {101.964363098144, 103.466735839843, 103.340606689453, 103.680244445800,
                   104.412780761718},
                  1e-7);
}

}  // namespace
}  // namespace eprop
