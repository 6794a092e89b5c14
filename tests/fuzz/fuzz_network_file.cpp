// libFuzzer harness: network files. Any input must end in a parsed spec or an eprop::Error; small
// specs are also built (validation of the whole network), never simulated (a duration may be long).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "eprop/error.h"
#include "eprop/memory_estimate.h"
#include "eprop/network_file.h"
#include "eprop/simulation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const eprop::NetworkSpec spec = eprop::parse_network(text, "fuzz.toml");
    const eprop::MemoryEstimate estimate = eprop::estimate_memory(spec);
    if (estimate.total_bytes() < (std::uint64_t{16} << 20) && estimate.neurons < 2000 &&
        estimate.eprop_synapses + estimate.static_synapses < 100000) {
      eprop::Simulation sim(spec);
    }
  } catch (const eprop::Error&) {
  }
  return 0;
}
