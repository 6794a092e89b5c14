#pragma once

// The random draws of the task builders (weights, sparsity masks, input spikes, targets, data
// order) come from one of two sources behind one interface:
//
//  - numpy-compatible: numpy's legacy global generator (NumpyRandomState), consumed strictly in
//    the order of the calls, which the builders make in the NEST scripts' order - so a task built
//    this way is NEST's example number for number (SPEC 13.1);
//  - counter-based: eprop::CounterRandom (Philox). Every quantity has a stream of its own and
//    element i of a draw is addressed by (stream, i, block), so a value is a pure function of the
//    seed and its indices: it does not depend on the order or the number of other draws.
//
// Keys name what is drawn; `block` tells apart repeated draws of one quantity (the evidence task
// draws cues per sequence). The numpy source ignores the keys.
//
//   auto rng = make_task_random(DrawMode::counter_based, seed);
//   std::vector<double> w = rng->normal({TaskDraw::w_in}, n_in * n_rec);

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace eprop::tasks {

enum class DrawMode {
  numpy_compatible,  ///< the NEST scripts' numpy draws (library default: reference tests)
  counter_based,     ///< Philox, order-independent (default of `eprop train`)
};

/// "numpy-compatible" or "counter-based".
[[nodiscard]] std::string_view draw_mode_name(DrawMode mode);

/// The quantities the tasks draw; in counter mode each one is its own stream.
enum class TaskDraw : std::uint32_t {
  w_in,
  w_rec,
  w_out,
  feedback,
  input_spikes,
  target_amplitudes,
  target_phases,
  cue_sides,
  cues,
  mask_in,
  mask_rec,
  mask_out,
  train_order,
  test_order,
};

/// What is drawn and which repetition of it (iteration, sequence, ...).
struct DrawKey {
  TaskDraw quantity;
  std::uint32_t block = 0;
};

class TaskRandom {
 public:
  virtual ~TaskRandom() = default;

  /// n uniform doubles in [0, 1) (numpy `rand(n)`).
  virtual std::vector<double> uniform01(DrawKey key, std::size_t n) = 0;
  /// n standard normals (numpy `randn(n)`; counter-based: Box-Muller from two uniforms).
  virtual std::vector<double> normal(DrawKey key, std::size_t n) = 0;
  /// n integers uniform in [0, a), a >= 1 (numpy `choice(a, n)`).
  virtual std::vector<std::int64_t> below(DrawKey key, std::int64_t a, std::size_t n) = 0;
  /// A random order of 0 .. n-1 (numpy `permutation(n)`; counter-based: sorted by random keys).
  virtual std::vector<std::int64_t> permutation(DrawKey key, std::int64_t n) = 0;

  /// `low + (high - low) * u` for n uniforms u (numpy `uniform(low, high, n)`).
  std::vector<double> uniform(DrawKey key, double low, double high, std::size_t n);
  /// n indices into p, drawn with probabilities p / sum(p) (numpy `choice(len(p), n, p=p)`).
  std::vector<std::int64_t> choice(DrawKey key, std::span<const double> p, std::size_t n);
};

/// The source of `mode`, seeded with `seed` (np.random.seed, or the Philox key).
[[nodiscard]] std::unique_ptr<TaskRandom> make_task_random(DrawMode mode, std::uint32_t seed);

}  // namespace eprop::tasks
