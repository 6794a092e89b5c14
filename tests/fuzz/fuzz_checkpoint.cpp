// libFuzzer harness: the checkpoint state loader below its checksum (a checksum collision or a
// hand-made state.bin). Input byte 0 picks the mode: 0 = the input is the whole state; 1 = the
// input is a list of (offset, byte) patches applied to a valid state of a small e-prop network, so
// that the fuzzer explores states that pass the header checks; 2 = that state with its tail zeroed
// (the crash of issue 14).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "eprop/error.h"
#include "eprop/network_file.h"
#include "eprop/simulation.h"

namespace {

constexpr const char* kNetwork = R"(
[kernel]
threads = 2
[[population]]
name = "in"
model = "spike_generator"
n = 3
spike_times = [[1.0, 4.0], [2.0], [3.0, 7.0]]
[[population]]
name = "p"
model = "parrot_neuron"
n = 3
[[population]]
name = "rec"
model = "eprop_iaf_adapt"
n = 4
params = { flush_event_send_interval = 5.0 }
[[population]]
name = "out"
model = "eprop_readout"
n = 2
[[connection]]
source = "in"
target = "p"
[[connection]]
source = "p"
target = "rec"
synapse = "eprop_synapse"
weight = 90.0
delay = 1.0
optimizer = { type = "adam", eta = 0.01 }
[[connection]]
source = "rec"
target = "out"
synapse = "eprop_synapse"
weight = 10.0
[[recorder]]
type = "spike_recorder"
population = "rec"
)";

struct Fixture {
  eprop::NetworkSpec spec = eprop::parse_network(kNetwork, "fuzz_checkpoint");
  std::string valid;
  Fixture() {
    eprop::Simulation sim(spec);
    sim.simulate(6.0);
    std::ostringstream out;
    sim.save_state(out);
    valid = out.str();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture fixture;
  if (size == 0) return 0;
  std::string state;
  if (data[0] % 3 == 0) {
    state.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else if (data[0] % 3 == 1) {
    state = fixture.valid;
    for (std::size_t k = 1; k + 2 < size; k += 3) {
      const std::size_t at = (std::size_t{data[k]} << 8 | data[k + 1]) % state.size();
      state[at] = static_cast<char>(data[k + 2]);
    }
  } else {  // the valid state with its last N bytes zeroed (N from bytes 1-2)
    state = fixture.valid;
    const std::size_t n = size >= 3 ? (std::size_t{data[1]} << 8 | data[2]) : 0;
    std::fill(state.end() - static_cast<std::ptrdiff_t>(std::min(n, state.size())), state.end(),
              '\0');
  }
  eprop::Simulation sim(fixture.spec);
  std::istringstream in(state);
  try {
    sim.load_state(in);
  } catch (const eprop::Error&) {
  }
  return 0;
}
