#include "core/random.h"

#include <Random123/philox.h>

namespace eprop {

std::uint64_t CounterRandom::bits(std::uint64_t stream, std::uint64_t a, std::uint64_t b) const {
  using Philox = r123::Philox4x32;
  const Philox::key_type key = {{static_cast<std::uint32_t>(seed_),
                                 static_cast<std::uint32_t>(seed_ >> 32)}};
  const Philox::ctr_type ctr = {{static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(a >> 32),
                                 static_cast<std::uint32_t>(b),
                                 static_cast<std::uint32_t>(stream)}};
  const Philox::ctr_type out = Philox()(ctr, key);
  return (static_cast<std::uint64_t>(out[0]) << 32) | out[1];
}

}  // namespace eprop
