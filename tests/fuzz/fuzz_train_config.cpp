// libFuzzer harness: `eprop train` configuration files and --set values. The first byte picks the
// task; the text up to the first newline-free NUL-separated tail is the file, the rest --set
// values.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eprop/error.h"
#include "tasks/train_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const tasks[] = {"sine", "evidence", "nmnist"};
  const char* task = tasks[data[0] % 3];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t nul = rest.find('\0');
  const std::string_view file = rest.substr(0, nul);
  std::vector<std::string> sets;
  if (nul != std::string_view::npos) {
    std::string_view tail = rest.substr(nul + 1);
    while (!tail.empty()) {
      const std::size_t next = tail.find('\0');
      sets.emplace_back(tail.substr(0, next));
      tail = next == std::string_view::npos ? std::string_view() : tail.substr(next + 1);
    }
  }
  try {
    const eprop::tasks::TrainConfig config =
        eprop::tasks::parse_train_config(task, file, "fuzz.toml", sets);
    (void)eprop::tasks::to_toml(config);
  } catch (const eprop::Error&) {
  }
  return 0;
}
