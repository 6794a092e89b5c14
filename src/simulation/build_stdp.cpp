#include "simulation/build_stdp.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "simulation/param_reader.h"
#include "simulation/shard_rows.h"

namespace eprop {
namespace {

StdpParams lower_stdp_params(const StdpSpec& s, const Endpoints& e) {
  auto check = [&](bool ok, const char* name, double value, const char* constraint) {
    require(ok, e, std::string("'") + name + "' = " + format_number(value) + " " + constraint);
  };
  check(s.tau_plus > 0 && std::isfinite(s.tau_plus), "tau_plus", s.tau_plus, "must be > 0 ms");
  check(std::isfinite(s.lambda), "lambda", s.lambda, "must be finite");
  check(std::isfinite(s.alpha), "alpha", s.alpha, "must be finite");
  check(s.mu_plus >= 0 && std::isfinite(s.mu_plus), "mu_plus", s.mu_plus, "must be >= 0");
  check(s.mu_minus >= 0 && std::isfinite(s.mu_minus), "mu_minus", s.mu_minus, "must be >= 0");
  check(s.Wmax != 0 && std::isfinite(s.Wmax), "Wmax", s.Wmax, "must be non-zero and finite");
  return {s.tau_plus, s.lambda, s.alpha, s.mu_plus, s.mu_minus, s.Wmax};
}

template <class Real>
StdpShard<Real> fill_stdp_shard(const ConnectionSet& set, Range r,
                                std::vector<std::uint64_t> row_begin, double dt) {
  StdpShard<Real> shard;
  fill_delayed_rows(set, r, row_begin, dt, shard.target, shard.weight, shard.delay);
  const std::size_t n_source = row_begin.size() - 1;
  shard.row_begin = std::move(row_begin);
  // NEST starts every synapse with K_plus = 0 and t_lastspike = 0.
  shard.k_plus.assign(n_source, 0.0);
  shard.last_stamp.assign(n_source, 0);
  return shard;
}

}  // namespace

template <class Real>
void add_stdp(const ConnectionSpec& spec, std::size_t index, const ConnectionSet& set,
              const Endpoints& e, double dt, Network<Real>& net) {
  const NodeKind src = e.source_type.kind;
  require(src == NodeKind::parrot_neuron || src == NodeKind::recurrent ||
              src == NodeKind::ignore_and_fire || src == NodeKind::iaf_psc_delta,
          e, "stdp_synapse needs a spiking neuron or parrot_neuron as source");
  require(e.target_type.kind == NodeKind::ignore_and_fire ||
              e.target_type.kind == NodeKind::iaf_psc_delta,
          e, "stdp_synapse can target ignore_and_fire or iaf_psc_delta neurons only");
  require(spec.receptor_type == 0, e,
          "'receptor_type' = " + std::to_string(spec.receptor_type) + " must be 0");
  StdpProjection<Real> proj;
  proj.params = lower_stdp_params(spec.stdp, e);
  const std::vector<Range>& shards = net.ranges(e.target);
  FirstFailure bad_delay;
  FirstFailure bad_weight;
  Step max_delay = 1;
  auto row_begin = count_rows_per_shard(set, shards, [&](const ExpandedConnection& c) {
    const bool ok = is_whole_steps(c.delay_ms, dt);
    bad_delay.note(ok, c.delay_ms);
    if (ok) max_delay = std::max(max_delay, delay_steps(c.delay_ms, dt));
    // NEST: "Weight and Wmax must have same sign."
    bad_weight.note(c.weight * proj.params.Wmax >= 0, c.weight);
  });
  if (bad_delay.value) {
    require(false, e,
            "'delay' = " + format_number(*bad_delay.value) +
                " ms must be a positive multiple of the resolution (" + format_number(dt) + " ms)");
  }
  if (bad_weight.value) {
    require(false, e,
            "'weight' = " + format_number(*bad_weight.value) +
                " must have the sign of Wmax (" + format_number(proj.params.Wmax) + ")");
  }
  proj.source = e.source;
  proj.target = e.target;
  proj.connection = index;
  proj.max_delay = max_delay;
  proj.shards.resize(shards.size());
  fill_shards_in_parallel(shards.size(), [&](std::size_t k) {
    proj.shards[k] = fill_stdp_shard<Real>(set, shards[k], std::move(row_begin[k]), dt);
  });
  std::visit(
      [&](auto& p) {
        if constexpr (requires { p.archive; }) {
          p.input.resize_depth(static_cast<std::size_t>(max_delay));
          if (!p.archive.enabled()) p.archive = PostSpikeArchive(p.size(), p.tau_minus, dt);
        }
      },
      net.populations[e.target]);
  net.stdp_projections.push_back(std::move(proj));
}

template void add_stdp<float>(const ConnectionSpec&, std::size_t, const ConnectionSet&,
                              const Endpoints&, double, Network<float>&);
template void add_stdp<double>(const ConnectionSpec&, std::size_t, const ConnectionSet&,
                               const Endpoints&, double, Network<double>&);

}  // namespace eprop
