#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "io/nmnist.h"

namespace eprop::io {
namespace {

namespace fs = std::filesystem;

const fs::path kSmallData = fs::path(EPROP_SHARED_DIR) / "data" / "nmnist-small";

/// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("eprop_nmnist_" + std::string(info->name()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<std::uint8_t> event_bytes(int x, int y, bool on, std::uint32_t t_us) {
  return {static_cast<std::uint8_t>(x), static_cast<std::uint8_t>(y),
          static_cast<std::uint8_t>((on ? 0x80U : 0U) | ((t_us >> 16U) & 0x7FU)),
          static_cast<std::uint8_t>((t_us >> 8U) & 0xFFU), static_cast<std::uint8_t>(t_us & 0xFFU)};
}

void write_file(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

/// Message of the DataError thrown by f (fails the test if none is thrown).
template <class F>
std::string data_error(F&& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no DataError thrown";
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// <root>/<split>/<0..9>/ with one valid sample each.
void make_split(const fs::path& root, const std::string& split) {
  for (int label = 0; label < 10; ++label) {
    write_file(root / split / std::to_string(label) / "00001.bin", event_bytes(17, 17, true, 1000));
  }
}

TEST(NmnistReader, BlocklistLeaves1196InputsInChannelOrder) {
  std::size_t blocked = 0;
  for (std::size_t c = 0; c < kNmnistChannels; ++c) blocked += nmnist_channel_blocked(c) ? 1 : 0;
  EXPECT_EQ(blocked, 1116U);
  const auto& active = nmnist_active_channels();
  ASSERT_EQ(active.size(), 1196U);
  EXPECT_TRUE(std::is_sorted(active.begin(), active.end()));
  // python: sorted(set(range(2312)) - set(blocklist))[:5] and [-5:]
  EXPECT_EQ(std::vector<std::uint32_t>(active.begin(), active.begin() + 5),
            (std::vector<std::uint32_t>{63, 152, 153, 154, 155}));
  EXPECT_EQ(std::vector<std::uint32_t>(active.end() - 5, active.end()),
            (std::vector<std::uint32_t>{2228, 2229, 2257, 2258, 2260}));
  // Range edges of Appendix A, including the single-channel entries 1457, 1459, 2259.
  for (const std::size_t c : {0U, 62U, 64U, 1457U, 1459U, 2259U, 2261U, 2311U}) {
    EXPECT_TRUE(nmnist_channel_blocked(c)) << c;
  }
  for (const std::size_t c : {63U, 152U, 1456U, 1458U, 1460U, 2258U, 2260U}) {
    EXPECT_FALSE(nmnist_channel_blocked(c)) << c;
  }
  const auto& input_of = nmnist_input_of_channel();
  ASSERT_EQ(input_of.size(), kNmnistChannels);
  for (std::size_t i = 0; i < active.size(); ++i) {
    EXPECT_EQ(input_of[active[i]], static_cast<std::int32_t>(i));
  }
  EXPECT_EQ(input_of[0], -1);
}

TEST(NmnistReader, DecodesAKnownEvent) {
  // First event of Train/0/00002.bin: bytes 10 30 128 3 169.
  const std::vector<std::uint8_t> bytes =
      concat({{10, 30, 128, 3, 169}, {33, 0, 0x7F, 0xFF, 0xFF}});
  const std::vector<NmnistEvent> events = decode_nmnist_events(bytes, "mem");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].x, 10);
  EXPECT_EQ(events[0].y, 30);
  EXPECT_TRUE(events[0].on);
  EXPECT_EQ(events[0].t_us, 3U * 256U + 169U);
  EXPECT_EQ(nmnist_channel(events[0]), 1156U + 30U * 34U + 10U);
  EXPECT_FALSE(events[1].on);
  EXPECT_EQ(events[1].t_us, 0x7FFFFFU);  // all 23 timestamp bits
  EXPECT_EQ(nmnist_channel(events[1]), 33U);
}

TEST(NmnistReader, TimeBinningRoundsHalfToEvenLikeNumpy) {
  // python: np.around(np.array([t]) * 300.0 / 336040)
  EXPECT_EQ(nmnist_time_step(0, 300), 0);
  EXPECT_EQ(nmnist_time_step(560, 300), 0);
  EXPECT_EQ(nmnist_time_step(561, 300), 1);
  EXPECT_EQ(nmnist_time_step(8401, 300), 8);    // 7.5 exactly
  EXPECT_EQ(nmnist_time_step(25203, 300), 22);  // 22.5 exactly: half to even, not up
  EXPECT_EQ(nmnist_time_step(336040, 300), 300);
  EXPECT_EQ(nmnist_time_step(0x7FFFFF, 300), 7489);
}

TEST(NmnistReader, LoadsSpikeStepsPerInput) {
  TempDir dir;
  const fs::path file = dir.path() / "s.bin";
  // channel 63 (input 0) twice in the same step and once earlier, out of order; one blocked event.
  write_file(file, concat({event_bytes(29, 1, false, 2000), event_bytes(29, 1, false, 2001),
                           event_bytes(0, 0, false, 5), event_bytes(29, 1, false, 1000),
                           event_bytes(17, 17, true, 336040)}));
  const NmnistSampleSpikes s = load_nmnist_sample(file, 300);
  EXPECT_EQ(s.n_events, 5U);
  EXPECT_EQ(s.n_blocked, 1U);
  ASSERT_EQ(s.steps.size(), 1196U);
  EXPECT_EQ(s.steps[0], (std::vector<std::int32_t>{1, 2, 2}));
  const auto input = nmnist_input_of_channel()[1156 + 17 * 34 + 17];
  ASSERT_GE(input, 0);
  EXPECT_EQ(s.steps[static_cast<std::size_t>(input)], std::vector<std::int32_t>{300});
  EXPECT_THROW((void)load_nmnist_sample(file, 0), ConfigError);
}

TEST(NmnistReader, RejectsTruncatedFiles) {
  TempDir dir;
  const fs::path file = dir.path() / "short.bin";
  write_file(file, concat({event_bytes(1, 2, true, 3), {7, 7}}));
  const std::string msg = data_error([&] { (void)load_nmnist_sample(file); });
  EXPECT_TRUE(contains(msg, "short.bin")) << msg;
  EXPECT_TRUE(contains(msg, "7 bytes")) << msg;
  EXPECT_TRUE(contains(msg, "truncated")) << msg;
}

TEST(NmnistReader, RejectsCoordinatesOutsideTheSensor) {
  TempDir dir;
  const fs::path file = dir.path() / "bad.bin";
  write_file(file, concat({event_bytes(1, 2, true, 3), event_bytes(5, 34, true, 4)}));
  const std::string msg = data_error([&] { (void)read_nmnist_events(file); });
  EXPECT_TRUE(contains(msg, "bad.bin")) << msg;
  EXPECT_TRUE(contains(msg, "event 1")) << msg;
  EXPECT_TRUE(contains(msg, "y = 34")) << msg;
  const std::string msg_x =
      data_error([] { (void)decode_nmnist_events(event_bytes(200, 0, false, 0), "x.bin"); });
  EXPECT_TRUE(contains(msg_x, "event 0 has x = 200")) << msg_x;
}

TEST(NmnistReader, EmptyOrTruncatedFileIsAnErrorAloneAndInASplit) {
  TempDir dir;
  make_split(dir.path(), "Train");
  const fs::path empty = dir.path() / "Train" / "3" / "00000.bin";
  write_file(empty, {});
  const std::string msg = data_error([&] { (void)load_nmnist_sample(empty); });
  EXPECT_TRUE(contains(msg, "00000.bin")) << msg;
  EXPECT_TRUE(contains(msg, "empty")) << msg;
  // Issue 14: an empty file once silently dropped from the listing; now the listing (made
  // before any output is written) names it.
  const std::string in_split = data_error([&] { (void)list_nmnist_split(dir.path(), "Train"); });
  EXPECT_TRUE(contains(in_split, "00000.bin")) << in_split;
  EXPECT_TRUE(contains(in_split, "empty")) << in_split;
  write_file(empty, {1, 2, 3, 4, 5, 6, 7});
  const std::string truncated = data_error([&] { (void)list_nmnist_split(dir.path(), "Train"); });
  EXPECT_TRUE(contains(truncated, "00000.bin")) << truncated;
  EXPECT_TRUE(contains(truncated, "truncated")) << truncated;
  write_file(empty, {40, 1, 0, 0, 1});  // x = 40 is outside the 34 x 34 sensor
  const std::string bad_event = data_error([&] { (void)list_nmnist_split(dir.path(), "Train"); });
  EXPECT_TRUE(contains(bad_event, "00000.bin")) << bad_event;
}

TEST(NmnistReader, MissingOrUnreadableFilesNameThePath) {
  TempDir dir;
  const fs::path missing = dir.path() / "nope.bin";
  EXPECT_TRUE(contains(data_error([&] { (void)load_nmnist_sample(missing); }), "nope.bin"));
  const fs::path folder = dir.path() / "folder.bin";
  fs::create_directories(folder);
  const std::string msg = data_error([&] { (void)load_nmnist_sample(folder); });
  EXPECT_TRUE(contains(msg, "folder.bin")) << msg;
  EXPECT_TRUE(contains(msg, "not a regular file")) << msg;
}

TEST(NmnistReader, MissingFoldersNameThePath) {
  TempDir dir;
  const fs::path root = dir.path() / "nmnist";
  EXPECT_TRUE(contains(data_error([&] { (void)list_nmnist_split(root, "Train"); }), root.string()));
  fs::create_directories(root);
  EXPECT_TRUE(contains(data_error([&] { (void)list_nmnist_split(root, "Test"); }),
                       (root / "Test").string()));
  make_split(root, "Test");
  fs::remove_all(root / "Test" / "7");
  const std::string msg = data_error([&] { (void)list_nmnist_split(root, "Test"); });
  EXPECT_TRUE(contains(msg, (root / "Test" / "7").string())) << msg;
  EXPECT_THROW((void)list_nmnist_split(root, "Validation"), ConfigError);
}

TEST(NmnistReader, ListsLabelsInTurnAndFilesByName) {
  TempDir dir;
  make_split(dir.path(), "Train");
  write_file(dir.path() / "Train" / "0" / "00000.bin", event_bytes(17, 17, true, 1));
  write_file(dir.path() / "Train" / "0" / "README.txt", {1, 2, 3});  // ignored
  const NmnistSplitListing listing = list_nmnist_split(dir.path(), "Train");
  ASSERT_EQ(listing.samples.size(), 11U);
  EXPECT_EQ(listing.samples[0].path.filename(), "00000.bin");
  EXPECT_EQ(listing.samples[0].label, 0);
  EXPECT_EQ(listing.samples[1].path.filename(), "00001.bin");
  EXPECT_EQ(listing.samples[1].label, 0);
  for (std::size_t k = 2; k < listing.samples.size(); ++k) {
    EXPECT_EQ(listing.samples[k].label, static_cast<int>(k) - 1);
  }
}

// Reference numbers: an independent numpy decode (/usr/bin/python3, numpy 1.24.2) of the same
// files, written from the README's bit layout and NEST's load_image():
//   t = np.around(t_us * 300.0 / 336040); pix = pol * 1156 + y * 34 + x; drop blocked pixels.
TEST(NmnistReader, RealDataMatchesAnIndependentNumpyDecode) {
  if (!fs::exists(kSmallData)) {
    GTEST_SKIP() << "N-MNIST subset not found at " << kSmallData.string()
                 << " (shared data absent); skipping the real-data check";
  }
  const NmnistSplitListing train = list_nmnist_split(kSmallData, "Train");
  const NmnistSplitListing test = list_nmnist_split(kSmallData, "Test");
  EXPECT_EQ(train.samples.size(), 1000U);
  EXPECT_EQ(test.samples.size(), 100U);
  EXPECT_EQ(train.samples[0].path.filename(), "00002.bin");
  EXPECT_EQ(std::count_if(train.samples.begin(), train.samples.end(),
                          [](const auto& s) { return s.label == 7; }),
            117);

  const NmnistSampleSpikes first = load_nmnist_sample(train.samples[0].path);
  EXPECT_EQ(first.n_events, 5028U);
  EXPECT_EQ(first.n_blocked, 77U);
  std::size_t spikes = 0;
  std::int64_t step_sum = 0;
  std::size_t active_inputs = 0;
  std::int32_t max_step = 0;
  for (const auto& s : first.steps) {
    spikes += s.size();
    active_inputs += s.empty() ? 0 : 1;
    for (const std::int32_t t : s) step_sum += t;
    if (!s.empty()) max_step = std::max(max_step, s.back());
  }
  EXPECT_EQ(spikes, 4951U);
  EXPECT_EQ(step_sum, 656148);
  EXPECT_EQ(active_inputs, 864U);
  EXPECT_EQ(max_step, 273);
  EXPECT_EQ(first.steps[0], std::vector<std::int32_t>{91});
  EXPECT_EQ(first.steps[13], std::vector<std::int32_t>{254});

  // Whole test split, including the half-way cases that need numpy's rounding, and a second
  // sequence length.
  std::size_t events = 0;
  std::size_t blocked = 0;
  std::int64_t sum300 = 0;
  std::int64_t sum7 = 0;
  for (const NmnistSampleFile& f : test.samples) {
    const NmnistSampleSpikes s = load_nmnist_sample(f.path, 300);
    events += s.n_events;
    blocked += s.n_blocked;
    for (const auto& steps : s.steps) {
      for (const std::int32_t t : steps) sum300 += t;
    }
    for (const auto& steps : load_nmnist_sample(f.path, 7).steps) {
      for (const std::int32_t t : steps) sum7 += t;
    }
  }
  EXPECT_EQ(events, 385596U);
  EXPECT_EQ(blocked, 7126U);
  EXPECT_EQ(sum300, 50598508);
  EXPECT_EQ(sum7, 1174432);
}

}  // namespace
}  // namespace eprop::io
