// Surrogate-gradient formulas (SPEC 3.2, code variant), the history ring and the input ring.

#include <gtest/gtest.h>

#include <cmath>

#include "core/surrogate.h"
#include "engine/events.h"
#include "engine/history.h"

namespace eprop {
namespace {

TEST(Surrogate, FormulasOfNestCode) {
  const double h = 0.3, w = 0.5, d = -0.2;
  EXPECT_DOUBLE_EQ(surrogate(SurrogateKind::piecewise_linear, false, d, h, w), h * (1 - 0.4));
  EXPECT_DOUBLE_EQ(surrogate(SurrogateKind::piecewise_linear, false, 0.6, h, w), 0.0);
  EXPECT_DOUBLE_EQ(surrogate(SurrogateKind::exponential, false, d, h, w), h * std::exp(-0.4));
  EXPECT_DOUBLE_EQ(surrogate(SurrogateKind::fast_sigmoid_derivative, false, d, h, w),
                   h / (1.4 * 1.4));
  EXPECT_DOUBLE_EQ(surrogate(SurrogateKind::arctan_derivative, false, d, h, w), h / (1 + 0.16));
}

TEST(Surrogate, ZeroWhileRefractory) {
  for (auto k : {SurrogateKind::piecewise_linear, SurrogateKind::exponential,
                 SurrogateKind::fast_sigmoid_derivative, SurrogateKind::arctan_derivative}) {
    EXPECT_EQ(surrogate(k, true, 0.0, 1.0, 1.0), 0.0) << surrogate_name(k);
  }
}

TEST(Surrogate, ParsesExactlyTheNestNames) {
  EXPECT_EQ(parse_surrogate("arctan_derivative"), SurrogateKind::arctan_derivative);
  EXPECT_FALSE(parse_surrogate("arctan").has_value());  // v3.9 name, renamed in 3.10
  EXPECT_FALSE(parse_surrogate("").has_value());
}

TEST(History, KeepsAWindowAndSurvivesGrowthAndWrapAround) {
  History<double> h(3, 2);
  for (Step t = 5; t < 105; ++t) {
    h.append(t);
    for (std::size_t j = 0; j < 3; ++j) h.at(1, j, t) = static_cast<double>(t * 10 + j);
    if (t % 7 == 0) h.discard_before(t - 4);
  }
  EXPECT_EQ(h.end(), 105);
  EXPECT_EQ(h.first(), 98 - 4);
  for (Step t = h.first(); t < h.end(); ++t) {
    for (std::size_t j = 0; j < 3; ++j) EXPECT_EQ(h.at(1, j, t), t * 10 + j);
  }
  EXPECT_FALSE(h.contains(h.first() - 1));
}

TEST(InputRing, DeliversAtTheArrivalStepOnly) {
  InputRing<double> ring(2, 4);
  ring.add(10, 1, 0.5);  // arrives at loop time 10
  ring.add(13, 0, 2.0);  // three steps later
  EXPECT_EQ(ring.at(10)[1], 0.5);
  EXPECT_EQ(ring.at(10)[0], 0.0);
  ring.clear(10, Range{0, 2});
  EXPECT_EQ(ring.at(13)[0], 2.0);
  EXPECT_EQ(ring.at(14)[0], 0.0);
}

// The delivery view adds a delay-d event of loop time t at t + d - 1 for every phase of the ring,
// as add(t + d - 1, ...) does.
TEST(InputRing, ViewFromAStepAddsAtStepPlusDelayMinusOne) {
  for (Step t = 20; t < 24; ++t) {
    for (Step d = 1; d <= 4; ++d) {
      InputRing<double> ring(3, 4);
      ring.from(t).add(d, 2, 1.5);
      for (Step arrival = t; arrival < t + 4; ++arrival) {
        EXPECT_EQ(ring.at(arrival)[2], arrival == t + d - 1 ? 1.5 : 0.0) << t << " " << d;
        EXPECT_EQ(ring.at(arrival)[1], 0.0);
      }
    }
  }
}

}  // namespace
}  // namespace eprop
