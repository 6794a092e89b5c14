// Checkpoints: a run split by save_state/load_state into a fresh Simulation equals the
// uninterrupted run bit for bit; damaged or foreign states are rejected.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <streambuf>

#include "comm/communicator.h"
#include "eprop/error.h"
#include "eprop/simulation.h"
#include "support/regression_networks.h"

namespace eprop {
namespace {

NetworkSpec adam_network(std::size_t n_record_rec = 0) {
  auto config = test_support::regression_config("eprop_iaf_adapt", "adam");
  config.recording.spikes = true;
  config.recording.weights = true;
  config.recording.n_record_rec = n_record_rec;
  return tasks::sine_task_network(config);
}

void expect_split_run_equals_uninterrupted_run(const NetworkSpec& spec) {
  Simulation whole(spec);
  whole.simulate(505.0);

  std::stringstream state;
  {
    Simulation first(spec);
    first.simulate(237.0);
    first.save_state(state);
  }
  Simulation second(spec);
  second.load_state(state);
  EXPECT_EQ(second.steps_done(), 237);
  second.simulate(268.0);

  const auto a = whole.multimeters();
  const auto b = second.multimeters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t m = 0; m < a.size(); ++m) {
    EXPECT_EQ(a[m].time, b[m].time);
    EXPECT_EQ(a[m].values, b[m].values);
  }
  EXPECT_EQ(whole.spike_recordings()[0].time, second.spike_recordings()[0].time);
  EXPECT_EQ(whole.weight_recordings()[0].weight, second.weight_recordings()[0].weight);
  for (std::size_t c = 0; c < spec.connections.size(); ++c) {
    if (spec.connections[c].synapse != "eprop_synapse") continue;
    const auto wa = whole.weights(c);
    const auto wb = second.weights(c);
    ASSERT_EQ(wa.size(), wb.size());
    for (std::size_t k = 0; k < wa.size(); ++k) EXPECT_EQ(wa[k].weight, wb[k].weight);
  }
}

TEST(Checkpoint, SplitRunEqualsUninterruptedRun) {
  expect_split_run_equals_uninterrupted_run(adam_network());
}

// Recorded learning_signal and eprop_history_duration follow NEST's per-neuron history
// bookkeeping, whose state (docs/design/0006) is part of the checkpoint.
TEST(Checkpoint, SplitRunWithHistoryRecordersEqualsUninterruptedRun) {
  NetworkSpec spec = adam_network(6);
  for (RecorderSpec& r : spec.recorders) {
    if (r.type == RecorderType::multimeter && r.population == "recurrent") {
      r.record_from.push_back("eprop_history_duration");
    }
  }
  expect_split_run_equals_uninterrupted_run(spec);
}

// Which rank of how many this process is, without any other process: enough to build a rank's
// network and load a state into it (neither exchanges anything).
class PretendRank final : public Communicator {
 public:
  PretendRank(int rank, int size) : rank_(rank), size_(size) {}
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }
  void allgather(std::span<const std::byte>, std::vector<std::byte>&,
                 std::vector<std::size_t>&) override {
    throw std::logic_error("no exchange expected");
  }
  [[nodiscard]] bool all(bool mine) override { return mine; }
  [[nodiscard]] double max(double mine) override { return mine; }
  [[nodiscard]] std::uint64_t sum(std::uint64_t mine) override { return mine; }
  [[noreturn]] void abort(int) override { std::abort(); }

 private:
  int rank_;
  int size_;
};

// A stream over bytes that counts the bytes read from it (not those sought past); a pipe-like
// one cannot seek.
class CountingBuffer final : public std::streambuf {
 public:
  CountingBuffer(const std::string& bytes, bool seekable) : bytes_(bytes), seekable_(seekable) {}
  [[nodiscard]] std::uint64_t bytes_read() const { return read_; }

 protected:
  int_type underflow() override {
    return at_ < bytes_.size() ? traits_type::to_int_type(bytes_[at_]) : traits_type::eof();
  }
  int_type uflow() override {
    const int_type c = underflow();
    if (c != traits_type::eof()) ++at_, ++read_;
    return c;
  }
  std::streamsize xsgetn(char* to, std::streamsize n) override {
    const auto k = std::min<std::size_t>(static_cast<std::size_t>(n), bytes_.size() - at_);
    std::copy_n(bytes_.data() + at_, k, to);
    at_ += k;
    read_ += k;
    return static_cast<std::streamsize>(k);
  }
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode) override {
    if (!seekable_) return pos_type(off_type(-1));
    const auto size = static_cast<off_type>(bytes_.size());
    const off_type base = dir == std::ios_base::beg   ? 0
                          : dir == std::ios_base::cur ? static_cast<off_type>(at_)
                                                      : size;
    if (base + off < 0 || base + off > size) return pos_type(off_type(-1));
    at_ = static_cast<std::size_t>(base + off);
    return pos_type(base + off);
  }
  pos_type seekpos(pos_type to, std::ios_base::openmode which) override {
    return seekoff(off_type(to), std::ios_base::beg, which);
  }

 private:
  const std::string& bytes_;
  bool seekable_;
  std::size_t at_ = 0;
  std::uint64_t read_ = 0;
};

// A state saved by 3 threads loads into each of 3 ranks; each rank reads the synapses onto its
// own neurons and passes over the other two thirds (at least 12 bytes each: target and weight).
TEST(Checkpoint, EachRankReadsOnlyItsShareOfTheSynapses) {
  NetworkSpec spec = adam_network();
  spec.kernel.threads = 3;
  Simulation saver(spec);
  saver.simulate(237.0);
  std::ostringstream out(std::ios::binary);
  saver.save_state(out);
  const std::string part = out.str();
  std::uint64_t synapses = 0;
  for (std::size_t c = 0; c < spec.connections.size(); ++c) {
    if (spec.connections[c].synapse == "eprop_synapse") synapses += saver.weights(c).size();
  }
  ASSERT_GT(synapses, 10000U);
  spec.kernel.threads = 1;
  for (int r = 0; r < 3; ++r) {
    Simulation rank(spec, std::make_shared<PretendRank>(r, 3));
    CountingBuffer buffer(part, true);
    std::istream in(&buffer);
    rank.load_state(std::vector<std::istream*>{&in});
    EXPECT_EQ(rank.steps_done(), 237);
    EXPECT_GE(part.size() - buffer.bytes_read(), synapses * 12 * 6 / 10) << "rank " << r;
  }
  // A stream that cannot seek is read through, the skipped sections in bounded chunks.
  Simulation last(spec, std::make_shared<PretendRank>(2, 3));
  CountingBuffer pipe(part, false);
  std::istream in(&pipe);
  last.load_state(std::vector<std::istream*>{&in});
  EXPECT_EQ(last.steps_done(), 237);
  EXPECT_EQ(pipe.bytes_read(), part.size());
}

TEST(Checkpoint, RejectsAStateOfAnotherNetwork) {
  std::stringstream state;
  Simulation(test_support::surrogate_network("exponential")).save_state(state);
  Simulation other(adam_network());
  EXPECT_THROW(other.load_state(state), DataError);
}

TEST(Checkpoint, RejectsATruncatedState) {
  const NetworkSpec spec = adam_network();
  std::stringstream state;
  Simulation sim(spec);
  sim.simulate(20.0);
  sim.save_state(state);
  std::stringstream truncated(state.str().substr(0, state.str().size() / 2));
  Simulation fresh(spec);
  EXPECT_THROW(fresh.load_state(truncated), DataError);
}

TEST(SetSpikeTimes, ReplacesTheFutureScheduleOnly) {
  NetworkSpec net;
  net.kernel.precision = Precision::double_precision;
  net.populations.push_back({"gen", "spike_generator", 1, {}, {{2.0, 8.0}}, {}, {}, {}});
  RecorderSpec spikes;
  spikes.type = RecorderType::spike_recorder;
  spikes.population = "gen";
  net.recorders.push_back(spikes);
  Simulation sim(net);
  sim.simulate(5.0);
  // 3 and 5 are at or before the current time (5 ms): NEST never emits them.
  sim.set_spike_times("gen", {{3.0, 5.0, 6.0, 9.0}});
  sim.simulate(10.0);
  EXPECT_EQ(sim.spike_recordings()[0].time, (std::vector<double>{2.0, 6.0, 9.0}));
  EXPECT_THROW(sim.set_spike_times("gen", {{4.0}, {5.0}}), ConfigError);
  EXPECT_THROW(sim.set_amplitudes("gen", {{4.0}}, {{1.0}}), ConfigError);
}

}  // namespace
}  // namespace eprop
