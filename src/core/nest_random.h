#pragma once

// NEST 3.10's random streams, for reproducing NEST's draws number for number (e.g. the per-neuron
// tau_m of NEST's lemniscate and handwriting examples, or `nest.random.normal` in the Python
// front end). Our own draws use the counter-based CounterRandom (random.h); this is only for
// agreeing with NEST.
//
// NEST keeps one generator per virtual process (vp): std::mt19937_64 seeded through randutils'
// seed_seq_fe128 with {rng_seed, 0xb84c9bae, vp}. Values come from the standard library's
// distributions, one distribution object per stream, so std::normal_distribution's cached second
// value carries over between draws. The standard distributions are implementation-defined; NEST
// was built with libstdc++, so this facility needs libstdc++ too (checked at compile time).

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

namespace eprop {

/// randutils' seed_seq_fe<4, uint32_t> ("seed_seq_fe128"): a seed sequence that mixes its input
/// words into four 32-bit words of entropy with multiply-xorshift hashes, and expands them into any
/// number of output words. Satisfies the SeedSequence use made by std::mersenne_twister_engine.
class SeedSeqFe128 {
 public:
  using result_type = std::uint32_t;

  SeedSeqFe128(std::initializer_list<std::uint32_t> words);

  /// Fills [begin, end) with 32-bit words derived from the mixed entropy.
  template <typename It>
  void generate(It begin, It end) const {
    std::size_t i = 0;
    std::uint32_t multiplier = kGenerateInit;
    for (It out = begin; out != end; ++out, ++i) {
      std::uint32_t v = mixer_[i % mixer_.size()] ^ multiplier;
      multiplier *= kGenerateMult;
      v *= multiplier;
      *out = v ^ (v >> 16);
    }
  }

  [[nodiscard]] static constexpr std::size_t size() { return 4; }

 private:
  static constexpr std::uint32_t kGenerateInit = 0x8b51f9dd;
  static constexpr std::uint32_t kGenerateMult = 0x58f38ded;
  std::array<std::uint32_t, 4> mixer_{};
};

/// NEST 3.10's random stream of one virtual process.
class NestVpStream {
 public:
  NestVpStream(std::uint64_t rng_seed, std::uint32_t vp);

  /// A draw of NEST's `nest.random.normal(mean, std)`.
  double normal(double mean, double std);
  /// A draw of NEST's `nest.random.uniform(lo, hi)`.
  double uniform(double lo, double hi);
  /// The engine's next raw 64-bit output (for tests).
  std::uint64_t raw() { return engine_(); }

 private:
  std::mt19937_64 engine_;
  std::normal_distribution<double> normal_{0.0, 1.0};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

/// All virtual processes of one NEST kernel (`nest.set(rng_seed=...,
/// total_num_virtual_procs=...)`). Drawing a parameter for nodes in creation order gives each node
/// the next value of the stream of the virtual process that owns the node.
class NestRandomStreams {
 public:
  NestRandomStreams(std::uint64_t rng_seed, std::uint32_t n_vps);

  /// The virtual process owning `node_id` (NEST's round-robin distribution of node ids).
  [[nodiscard]] std::uint32_t vp_of(std::uint64_t node_id) const {
    return static_cast<std::uint32_t>(node_id % streams_.size());
  }
  [[nodiscard]] std::uint32_t n_vps() const { return static_cast<std::uint32_t>(streams_.size()); }

  double normal_for_node(std::uint64_t node_id, double mean, double std) {
    return streams_[vp_of(node_id)].normal(mean, std);
  }
  double uniform_for_node(std::uint64_t node_id, double lo, double hi) {
    return streams_[vp_of(node_id)].uniform(lo, hi);
  }
  /// Draws `normal(mean, std)` for the `count` nodes created with ids first_id, first_id + 1, ...
  std::vector<double> normal_for_nodes(std::uint64_t first_id, std::size_t count, double mean,
                                       double std);

  NestVpStream& stream(std::uint32_t vp) { return streams_.at(vp); }

 private:
  std::vector<NestVpStream> streams_;
};

}  // namespace eprop
