#include "engine/stdp_projection.h"

#include <algorithm>
#include <cmath>

namespace eprop {

// Weights are normalised by Wmax, so that the rules work for either sign of Wmax.
// mu = 1 (NEST's default, multiplicative STDP) and mu = 0 (additive) skip std::pow, which would
// cost more than the rest of the update.
namespace {
double power(double base, double mu) {
  if (mu == 1.0) return base;
  if (mu == 0.0) return 1.0;
  return std::pow(base, mu);
}
}  // namespace

double stdp_facilitate(const StdpParams& p, double w, double k_plus) {
  const double x = w / p.Wmax;
  const double next = x + p.lambda * power(1.0 - x, p.mu_plus) * k_plus;
  return next < 1.0 ? next * p.Wmax : p.Wmax;
}

double stdp_depress(const StdpParams& p, double w, double k_minus) {
  const double x = w / p.Wmax;
  const double next = x - p.alpha * p.lambda * power(x, p.mu_minus) * k_minus;
  return next > 0.0 ? next * p.Wmax : 0.0;
}

template <class Real>
void StdpShard<Real>::on_spike(const StdpParams& p, Step stamp, LocalIndex i, std::uint32_t count,
                               const PostSpikeArchive& post, InputRing<Real>& input, double dt) {
  const Step last = last_stamp[i];
  const double kp = k_plus[i];
  const auto arrival = input.from(stamp);
  for (std::uint64_t s = row_begin[i]; s < row_begin[i + 1]; ++s) {
    const Step d = delay[s];
    const LocalIndex j = target[s];
    double w = weight[s];
    // Postsynaptic spikes the synapse has not yet seen, i.e. in (last - d, stamp - d], each
    // paired with the presynaptic trace as it was then (all-to-all pairing).
    post.for_each_in(j, last - d, stamp - d, [&](Step post_stamp) {
      const double lag_ms = static_cast<double>(last - (post_stamp + d)) * dt;
      w = stdp_facilitate(p, w, kp * std::exp(lag_ms / p.tau_plus));
    });
    w = stdp_depress(p, w, post.k_minus(j, stamp - d));
    weight[s] = static_cast<Real>(w);
    // A spike with stamp t and delay d acts on the target in loop time t + d - 1; multiplicity
    // m arrives as m single spikes (SPEC_multiplicity).
    for (std::uint32_t copy = 0; copy < count; ++copy) arrival.add(d, j, weight[s]);
  }
  k_plus[i] = kp * std::exp(static_cast<double>(last - stamp) * dt / p.tau_plus) + 1.0;
  last_stamp[i] = stamp;
}

template <class Real>
Step StdpShard<Real>::oldest_window_start(Step max_delay) const {
  Step oldest = last_stamp.empty() ? 0 : *std::min_element(last_stamp.begin(), last_stamp.end());
  return oldest - max_delay;
}

template struct StdpShard<float>;
template struct StdpShard<double>;

}  // namespace eprop
