// libFuzzer harness: N-MNIST sample files, decoded from memory and loaded from a file (size checks
// and binning into time steps).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "eprop/error.h"
#include "io/nmnist.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)eprop::io::decode_nmnist_events(std::span<const std::uint8_t>(data, size), "fuzz.bin");
  } catch (const eprop::Error&) {
  }
  static const std::string path = "/tmp/eprop_fuzz_nmnist_" + std::to_string(::getpid()) + ".bin";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  try {
    const std::int64_t steps = size > 0 ? 1 + data[0] % 300 : 300;
    (void)eprop::io::load_nmnist_sample(path, steps);
  } catch (const eprop::Error&) {
  }
  return 0;
}
