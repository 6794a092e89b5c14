#include "core/nest_random.h"

#include <stdexcept>

#ifndef __GLIBCXX__
#error "NEST's draws come from libstdc++'s distributions; build with libstdc++"
#endif

namespace eprop {

namespace {

// NEST's offset that separates the vp-specific seeds from its rank-synchronised ones.
constexpr std::uint32_t kVpSpecificSeedWord = 0xb84c9bae;

// Constants of the entropy-mixing stage of seed_seq_fe.
constexpr std::uint32_t kHashInit = 0x43b0d7e5;
constexpr std::uint32_t kHashMult = 0x931e8875;
constexpr std::uint32_t kMixLeft = 0xca01f9dd;
constexpr std::uint32_t kMixRight = 0x4973f715;

// Hashes successive input words, each with a fresh multiplier from a running sequence.
class WordHash {
 public:
  std::uint32_t operator()(std::uint32_t value) {
    value ^= multiplier_;
    multiplier_ *= kHashMult;
    value *= multiplier_;
    return value ^ (value >> 16);
  }

 private:
  std::uint32_t multiplier_ = kHashInit;
};

std::uint32_t mix(std::uint32_t x, std::uint32_t y) {
  std::uint32_t r = kMixLeft * x - kMixRight * y;
  return r ^ (r >> 16);
}

}  // namespace

SeedSeqFe128::SeedSeqFe128(std::initializer_list<std::uint32_t> words) {
  WordHash hash;
  auto next = words.begin();
  // Each entropy word starts as the hash of one input word (zero once the input runs out).
  for (auto& word : mixer_) word = hash(next != words.end() ? *next++ : 0U);
  // Every word absorbs the hash of every other word, in order.
  for (std::size_t src = 0; src < mixer_.size(); ++src) {
    for (std::size_t dst = 0; dst < mixer_.size(); ++dst) {
      if (src != dst) mixer_[dst] = mix(mixer_[dst], hash(mixer_[src]));
    }
  }
  // Input words beyond the first four are folded into every entropy word.
  for (; next != words.end(); ++next) {
    for (auto& word : mixer_) word = mix(word, hash(*next));
  }
}

namespace {
std::mt19937_64 seeded_engine(std::uint64_t rng_seed, std::uint32_t vp) {
  // NEST's rng_seed is a positive 32-bit unsigned value.
  if (rng_seed == 0 || rng_seed > 0xffffffffULL)
    throw std::invalid_argument("NEST rng_seed must be in [1, 2^32 - 1]");
  SeedSeqFe128 seq{static_cast<std::uint32_t>(rng_seed), kVpSpecificSeedWord, vp};
  return std::mt19937_64(seq);
}
}  // namespace

NestVpStream::NestVpStream(std::uint64_t rng_seed, std::uint32_t vp)
    : engine_(seeded_engine(rng_seed, vp)) {}

double NestVpStream::normal(double mean, double std) {
  return mean + std * normal_(engine_);
}

double NestVpStream::uniform(double lo, double hi) {
  return lo + (hi - lo) * uniform_(engine_);
}

NestRandomStreams::NestRandomStreams(std::uint64_t rng_seed, std::uint32_t n_vps) {
  if (n_vps == 0) throw std::invalid_argument("NEST needs at least one virtual process");
  streams_.reserve(n_vps);
  for (std::uint32_t vp = 0; vp < n_vps; ++vp) streams_.emplace_back(rng_seed, vp);
}

std::vector<double> NestRandomStreams::normal_for_nodes(std::uint64_t first_id, std::size_t count,
                                                        double mean, double std) {
  std::vector<double> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = normal_for_node(first_id + i, mean, std);
  return values;
}

}  // namespace eprop
