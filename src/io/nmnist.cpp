#include "io/nmnist.h"

#include "eprop/error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <utility>

namespace eprop::io {
namespace {

namespace fs = std::filesystem;

struct ChannelRange {
  std::uint32_t first;
  std::uint32_t last;  // inclusive
};

// NEST's NMNIST_pixels_blocklist.txt as the inclusive ranges of SPEC Appendix A (1116 channels:
// mostly the image border and pixels that hardly ever fire).
constexpr auto kBlocklist = std::to_array<ChannelRange>({
    {0, 62},      {64, 151},    {159, 180},   {196, 212},   {232, 245},   {267, 278},
    {301, 312},   {335, 345},   {370, 379},   {404, 413},   {438, 442},   {444, 447},
    {471, 481},   {506, 514},   {539, 549},   {573, 582},   {608, 617},   {641, 650},
    {675, 684},   {709, 718},   {743, 752},   {776, 786},   {810, 820},   {843, 854},
    {877, 889},   {910, 923},   {943, 958},   {976, 993},   {1009, 1028}, {1042, 1064},
    {1074, 1218}, {1220, 1275}, {1277, 1288}, {1290, 1305}, {1316, 1335}, {1353, 1368},
    {1388, 1391}, {1393, 1401}, {1424, 1433}, {1457, 1457}, {1459, 1459}, {1461, 1467},
    {1492, 1501}, {1526, 1533}, {1560, 1568}, {1593, 1598}, {1600, 1602}, {1627, 1636},
    {1662, 1670}, {1696, 1704}, {1730, 1738}, {1763, 1772}, {1797, 1806}, {1831, 1839},
    {1866, 1873}, {1899, 1907}, {1933, 1941}, {1966, 1975}, {2000, 2010}, {2033, 2043},
    {2067, 2079}, {2100, 2109}, {2111, 2113}, {2133, 2149}, {2165, 2182}, {2198, 2219},
    {2230, 2256}, {2259, 2259}, {2261, 2311},
});

constexpr std::size_t blocked_count() {
  std::size_t n = 0;
  for (std::size_t k = 0; k < kBlocklist.size(); ++k) {
    n += kBlocklist[k].last - kBlocklist[k].first + 1U;
    if (k > 0 && kBlocklist[k].first <= kBlocklist[k - 1].last + 1U) return 0;  // unsorted/touching
  }
  return n;
}
static_assert(blocked_count() == kNmnistBlockedChannels, "Appendix A lists 1116 channels");

struct ChannelMaps {
  std::vector<std::uint32_t> active;
  std::vector<std::int32_t> input_of_channel;
};

const ChannelMaps& channel_maps() {
  static const ChannelMaps maps = [] {
    ChannelMaps m;
    m.input_of_channel.assign(kNmnistChannels, -1);
    for (std::uint32_t c = 0; c < kNmnistChannels; ++c) {
      if (!nmnist_channel_blocked(c)) {
        m.input_of_channel[c] = static_cast<std::int32_t>(m.active.size());
        m.active.push_back(c);
      }
    }
    return m;
  }();
  return maps;
}

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

// Real samples hold at most a few thousand events (tens of KiB).
constexpr std::uintmax_t kMaxSampleBytes = std::uintmax_t{16} << 20;

/// Size of a sample file that exists, is a regular file and is not larger than the limit.
std::uintmax_t sample_size(const fs::path& file) {
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (ec || !fs::exists(status)) {
    throw DataError("N-MNIST: sample file " + quoted(file) + " does not exist");
  }
  if (!fs::is_regular_file(status)) {
    throw DataError("N-MNIST: sample file " + quoted(file) + " is not a regular file");
  }
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) throw DataError("N-MNIST: cannot read the size of sample file " + quoted(file));
  if (size > kMaxSampleBytes) {
    throw DataError("N-MNIST: sample file " + quoted(file) + " has " + std::to_string(size) +
                    " bytes, more than the " + std::to_string(kMaxSampleBytes) +
                    " of any N-MNIST sample");
  }
  return size;
}

/// What can be checked without decoding: size (non-empty, whole events) and the first event.
void check_sample_file(const fs::path& file) {
  const std::uintmax_t size = sample_size(file);
  if (size == 0) throw DataError("N-MNIST: sample file " + quoted(file) + " is empty (0 events)");
  if (size % kNmnistEventBytes != 0) {
    throw DataError("N-MNIST: sample file " + quoted(file) +
                    " is truncated: " + std::to_string(size) + " bytes is not a multiple of " +
                    std::to_string(kNmnistEventBytes) + " (one event)");
  }
  std::array<std::uint8_t, kNmnistEventBytes> first{};
  std::ifstream in(file, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(first.data()), first.size())) {
    throw DataError("N-MNIST: cannot read sample file " + quoted(file));
  }
  (void)decode_nmnist_events(first, file.string());
}

std::vector<std::uint8_t> read_bytes(const fs::path& file) {
  (void)sample_size(file);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw DataError("N-MNIST: cannot open sample file " + quoted(file) + " for reading");
  }
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) {
    throw DataError("N-MNIST: error while reading sample file " + quoted(file));
  }
  return bytes;
}

void require_directory(const fs::path& dir, std::string_view what) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw DataError("N-MNIST: " + std::string(what) + " folder " + quoted(dir) +
                    (fs::exists(dir, ec) ? " is not a directory" : " does not exist"));
  }
}

}  // namespace

std::size_t nmnist_channel(const NmnistEvent& event) {
  constexpr std::size_t side = kNmnistSide;
  return (event.on ? side * side : 0U) + std::size_t{event.y} * side + std::size_t{event.x};
}

bool nmnist_channel_blocked(std::size_t channel) {
  const auto it = std::upper_bound(
      kBlocklist.begin(), kBlocklist.end(), channel,
      [](std::size_t c, const ChannelRange& r) { return c < std::size_t{r.first}; });
  return it != kBlocklist.begin() && channel <= std::prev(it)->last;
}

const std::vector<std::uint32_t>& nmnist_active_channels() {
  return channel_maps().active;
}

const std::vector<std::int32_t>& nmnist_input_of_channel() {
  return channel_maps().input_of_channel;
}

std::int64_t nmnist_time_step(std::uint32_t t_us, std::int64_t steps) {
  // Same double operations as numpy: (t * steps) is exact, then one correctly rounded division.
  const double x = static_cast<double>(t_us) * static_cast<double>(steps) /
                   static_cast<double>(kNmnistMaxTimeUs);
  const double lower = std::floor(x);
  const double frac = x - lower;
  auto r = static_cast<std::int64_t>(lower);
  if (frac > 0.5 || (frac == 0.5 && r % 2 != 0)) {
    ++r;
  }
  return r;
}

std::vector<NmnistEvent> decode_nmnist_events(std::span<const std::uint8_t> bytes,
                                              std::string_view source) {
  if (bytes.size() % kNmnistEventBytes != 0) {
    throw DataError("N-MNIST: sample file '" + std::string(source) + "' is truncated: " +
                    std::to_string(bytes.size()) + " bytes is not a multiple of " +
                    std::to_string(kNmnistEventBytes) + " (one event = 5 bytes)");
  }
  std::vector<NmnistEvent> events(bytes.size() / kNmnistEventBytes);
  for (std::size_t k = 0; k < events.size(); ++k) {
    const std::uint8_t* b = bytes.data() + k * kNmnistEventBytes;
    for (int axis = 0; axis < 2; ++axis) {
      if (b[axis] >= kNmnistSide) {
        throw DataError("N-MNIST: sample file '" + std::string(source) + "': event " +
                        std::to_string(k) + " has " + (axis == 0 ? "x" : "y") + " = " +
                        std::to_string(b[axis]) + ", outside 0.." +
                        std::to_string(kNmnistSide - 1));
      }
    }
    NmnistEvent& e = events[k];
    e.x = b[0];
    e.y = b[1];
    e.on = (b[2] & 0x80U) != 0;
    e.t_us = (std::uint32_t{b[2] & 0x7FU} << 16U) | (std::uint32_t{b[3]} << 8U) | b[4];
  }
  return events;
}

std::vector<NmnistEvent> read_nmnist_events(const fs::path& file) {
  const std::vector<std::uint8_t> bytes = read_bytes(file);
  if (bytes.empty()) {
    throw DataError("N-MNIST: sample file " + quoted(file) + " is empty (0 events)");
  }
  return decode_nmnist_events(bytes, file.string());
}

NmnistSampleSpikes load_nmnist_sample(const fs::path& file, std::int64_t steps, bool all_pixels) {
  if (steps < 1 || steps > 1'000'000) {
    throw ConfigError("N-MNIST: sequence length " + std::to_string(steps) +
                      " steps must be in 1..1000000");
  }
  const std::vector<NmnistEvent> events = read_nmnist_events(file);
  const std::vector<std::int32_t>& input_of = nmnist_input_of_channel();
  NmnistSampleSpikes sample;
  sample.steps.resize(all_pixels ? kNmnistChannels : kNmnistInputs);
  sample.n_events = events.size();
  for (const NmnistEvent& e : events) {
    const std::size_t channel = nmnist_channel(e);
    const std::int32_t input = all_pixels ? static_cast<std::int32_t>(channel) : input_of[channel];
    if (input < 0) {
      ++sample.n_blocked;
      continue;
    }
    sample.steps[static_cast<std::size_t>(input)].push_back(
        static_cast<std::int32_t>(nmnist_time_step(e.t_us, steps)));
  }
  // Recordings are time-ordered, but NEST's spike_generator rejects unsorted times, so make sure.
  for (auto& s : sample.steps) {
    if (!std::is_sorted(s.begin(), s.end())) {
      std::sort(s.begin(), s.end());
    }
  }
  return sample;
}

NmnistSplitListing list_nmnist_split(const fs::path& root, std::string_view split) {
  if (split != "Train" && split != "Test") {
    throw ConfigError("N-MNIST: split '" + std::string(split) + "' must be Train or Test");
  }
  require_directory(root, "data root");
  const fs::path split_dir = root / std::string(split);
  require_directory(split_dir, std::string(split) + " split");
  NmnistSplitListing listing;
  for (std::size_t label = 0; label < kNmnistClasses; ++label) {
    const fs::path label_dir = split_dir / std::to_string(label);
    require_directory(label_dir, "label");
    std::vector<fs::path> files;
    try {
      for (const fs::directory_entry& entry : fs::directory_iterator(label_dir)) {
        if (entry.path().extension() == ".bin") {
          files.push_back(entry.path());
        }
      }
    } catch (const fs::filesystem_error& e) {
      throw DataError("N-MNIST: cannot list label folder " + quoted(label_dir) + ": " +
                      e.code().message());
    }
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
      return a.filename().string() < b.filename().string();
    });
    // Every file is checked now, before a run starts: a bad file met at iteration 71 once ended
    // a run half-written, and skipping empty files silently dropped whole classes.
    for (fs::path& f : files) {
      check_sample_file(f);
      listing.samples.push_back({std::move(f), static_cast<int>(label)});
    }
  }
  if (listing.samples.empty()) {
    throw DataError("N-MNIST: split folder " + quoted(split_dir) + " holds no .bin sample");
  }
  return listing;
}

}  // namespace eprop::io
