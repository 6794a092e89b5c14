#pragma once

// Reader for the N-MNIST data set in its original binary format (Orchard et al. 2015), as used by
// NEST's eprop_supervised_classification_neuromorphic_mnist.py (SPEC 11.4, Appendix A).
//
// Layout: <root>/{Train,Test}/<label>/<file>.bin, labels 0-9, files sorted by name. Each file
// holds 5-byte events: byte0 = x (0..33), byte1 = y (0..33), byte2 bit 7 = polarity (1 = ON),
// timestamp in microseconds = ((byte2 & 0x7F) << 16) | (byte3 << 8) | byte4.
// Channel = polarity * 1156 + y * 34 + x; the 1116 channels of NEST's pixel blocklist are
// dropped and the remaining 1196 channels become inputs 0..1195 in increasing channel order.
// Every problem with the data throws eprop::DataError naming the path (and event) at fault.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace eprop::io {

inline constexpr int kNmnistSide = 34;                ///< pixels per row and column
inline constexpr std::size_t kNmnistChannels = 2312;  ///< 2 polarities x 34 x 34
inline constexpr std::size_t kNmnistBlockedChannels = 1116;
inline constexpr std::size_t kNmnistInputs = kNmnistChannels - kNmnistBlockedChannels;  // 1196
inline constexpr std::size_t kNmnistClasses = 10;
/// Longest recording over the training and test sets (us); NEST maps it onto the sequence.
inline constexpr std::int64_t kNmnistMaxTimeUs = 336040;
inline constexpr std::size_t kNmnistEventBytes = 5;

/// One decoded event.
struct NmnistEvent {
  std::uint8_t x = 0;
  std::uint8_t y = 0;
  bool on = false;         ///< polarity bit (1 = ON)
  std::uint32_t t_us = 0;  ///< 23-bit timestamp, microseconds
};

/// Channel id of an event: polarity * 1156 + y * 34 + x.
[[nodiscard]] std::size_t nmnist_channel(const NmnistEvent& event);
/// True for the 1116 channels of NEST's NMNIST_pixels_blocklist.txt (SPEC Appendix A).
[[nodiscard]] bool nmnist_channel_blocked(std::size_t channel);
/// The 1196 channels that are kept, in increasing order (input i = channel active[i]).
[[nodiscard]] const std::vector<std::uint32_t>& nmnist_active_channels();
/// Input index of each of the 2312 channels, -1 for blocked channels.
[[nodiscard]] const std::vector<std::int32_t>& nmnist_input_of_channel();

/// `np.around(t_us * steps / 336040)`: numpy rounds halves to even (t_us = 8401 gives 7.5 -> 8,
/// 25203 gives 22.5 -> 22 for 300 steps), which the real data hits a few hundred times.
[[nodiscard]] std::int64_t nmnist_time_step(std::uint32_t t_us, std::int64_t steps);

/// Decodes the bytes of one sample file. `source` names the file in error messages.
/// Throws DataError for a size that is not a multiple of 5 or an x/y outside 0..33.
[[nodiscard]] std::vector<NmnistEvent> decode_nmnist_events(std::span<const std::uint8_t> bytes,
                                                            std::string_view source);
/// Reads and decodes one sample file; an empty file is a DataError.
[[nodiscard]] std::vector<NmnistEvent> read_nmnist_events(const std::filesystem::path& file);

/// One sample as per-input spike steps.
struct NmnistSampleSpikes {
  /// steps[i]: sorted time steps (0 .. about `steps`) of the events of input i (0..1195);
  /// repeated steps are kept (NEST turns them into spikes of multiplicity > 1).
  std::vector<std::vector<std::int32_t>> steps;
  std::size_t n_events = 0;   ///< events in the file
  std::size_t n_blocked = 0;  ///< events dropped because their channel is blocklisted
};

/// Loads one sample file and bins its events into `steps` time steps (the sequence length,
/// 300 in NEST's example; 1 .. 1,000,000). Throws DataError (missing, unreadable, empty,
/// truncated or out-of-range file) or ConfigError (bad `steps`). With all_pixels, no channel is
/// blocked: input i is channel i (0..2311), as in the paper's script.
[[nodiscard]] NmnistSampleSpikes load_nmnist_sample(const std::filesystem::path& file,
                                                    std::int64_t steps = 300,
                                                    bool all_pixels = false);

/// One sample file of a split.
struct NmnistSampleFile {
  std::filesystem::path path;
  int label = 0;
};

/// Sample files of one split: labels 0..9 in turn, files of each label sorted by name (the
/// order NEST's data loader indexes before shuffling).
struct NmnistSplitListing {
  std::vector<NmnistSampleFile> samples;
};

/// Lists `<root>/<split>/<0..9>/*.bin` (split = "Train" or "Test"). Files without the .bin
/// extension are ignored. Every sample file is checked before a run starts: it must be a regular
/// file of 1 to 16 MiB whose size is a whole number of events and whose first event is valid.
/// Throws DataError naming the path when the root, the split or any label folder is missing, a
/// sample fails a check (an empty file is an error: skipping it could drop a whole class), or a
/// split holds no sample at all.
[[nodiscard]] NmnistSplitListing list_nmnist_split(const std::filesystem::path& root,
                                                   std::string_view split);

}  // namespace eprop::io
