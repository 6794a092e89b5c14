// The exchange between ranks after each step (design record 0008). Each rank contributes, in a
// fixed order: the non-empty event lists of its virtual processes, the signal values of its neurons that
// the others read in the next serial phase (readout errors and unnormalised signals, rate
// generator amplitudes), and its neurons' rows of the samples taken in this step. One
// allgather carries all three, so a step costs two collectives whatever the network.

#include <algorithm>
#include <span>

#include "engine/network.h"

namespace eprop {

template <class Real>
Range Network<Real>::rank_range(std::size_t population, int r) const {
  const auto& vps = ranges_[population];
  const std::size_t first = static_cast<std::size_t>(r) * threads_;
  return {vps[first].begin, vps[first + threads_ - 1].end};
}

template <class Real>
int Network<Real>::owner_rank(std::size_t population, std::size_t neuron) const {
  const auto& vps = ranges_[population];
  const auto owner = std::partition_point(vps.begin(), vps.end(),
                                          [neuron](const Range& r) { return r.end <= neuron; });
  return static_cast<int>(static_cast<std::size_t>(owner - vps.begin()) / threads_);
}

namespace {

/// Keeps the connections of a signal projection whose targets lie in this rank's thread ranges,
/// grouped by thread; within a thread they keep their order, so every target sums its signals
/// in the order of the one-thread run.
template <class Projection>
void shard_by_target(Projection& proj, const std::vector<Range>& threads) {
  Projection kept;
  kept.thread_begin.push_back(0);
  for (const Range& mine : threads) {
    for (std::size_t c = 0; c < proj.target_index.size(); ++c) {
      if (proj.target_index[c] < mine.begin || proj.target_index[c] >= mine.end) continue;
      kept.source_index.push_back(proj.source_index[c]);
      kept.target_index.push_back(proj.target_index[c]);
      kept.weight.push_back(proj.weight[c]);
    }
    kept.thread_begin.push_back(kept.target_index.size());
  }
  proj.source_index.swap(kept.source_index);
  proj.target_index.swap(kept.target_index);
  proj.weight.swap(kept.weight);
  proj.thread_begin.swap(kept.thread_begin);
}

}  // namespace

// Each thread delivers learning and rate signals to its own neurons (n_out x n_rec feedback
// connections per step would otherwise be a serial loop); a rank keeps only the connections
// onto its neurons, whose values the others never read.
template <class Real>
void Network<Real>::shard_signal_targets() {
  for (auto& proj : signal_projections) shard_by_target(proj, local_ranges_[proj.target]);
  for (auto& proj : bsshslm_signal_projections) {
    shard_by_target(proj, local_ranges_[proj.target]);
  }
}

template <class Real>
void Network<Real>::exchange(Step t) {
  if (ranks_ == 1) return;
  send_buffer_.clear();
  ByteWriter out(send_buffer_);
  pack_exchange(t, out);
  comm_->allgather(send_buffer_, receive_buffer_, receive_offsets_);
  for (int r = 0; r < ranks_; ++r) {
    if (r == rank_) continue;
    const auto from = static_cast<std::size_t>(r);
    ByteReader in(std::span<const std::byte>(receive_buffer_)
                      .subspan(receive_offsets_[from],
                               receive_offsets_[from + 1] - receive_offsets_[from]));
    unpack_exchange(t, r, in);
    if (!in.done()) throw CommError("a message between ranks is longer than expected");
  }
}

// Only non-empty event lists travel, each with its thread index: with many threads most lists of
// a step are empty, so the message grows with the spikes, not with ranks x threads.
template <class Real>
void Network<Real>::pack_exchange(Step t, ByteWriter& out) {
  for (auto& lists : events_[t % 2]) {
    const auto first = lists.begin() + static_cast<std::ptrdiff_t>(first_vp_);
    const auto mine = std::span<const EventList>(&*first, threads_);
    out.put(static_cast<std::uint32_t>(
        std::count_if(mine.begin(), mine.end(), [](const EventList& e) { return !e.empty(); })));
    for (std::size_t k = 0; k < threads_; ++k) {
      const EventList& events = mine[k];
      if (events.empty()) continue;
      out.put(static_cast<std::uint32_t>(k));
      out.put_span(std::span<const LocalIndex>(events.spikes));
      out.put_span(std::span<const std::uint32_t>(events.multiplicity));
      out.put_span(std::span<const LocalIndex>(events.flushes));
    }
  }
  for (std::size_t p = 0; p < populations.size(); ++p) {
    const Range mine = rank_range(p, rank_);
    std::visit(
        [&](auto& pop) {
          if constexpr (requires { pop.exchanged_signals(); }) {
            for (std::span<Real> values : pop.exchanged_signals()) {
              out.put_span(std::span<const Real>(values.subspan(mine.begin, mine.end - mine.begin)));
            }
          }
        },
        populations[p]);
  }
  for (const MultimeterState& m : multimeters) {
    if (m.pending_step != t) continue;
    const std::size_t width = m.variables.size();
    for (std::size_t row = 0; row < m.neurons.size(); ++row) {
      if (owner_rank(m.population, m.neurons[row]) != rank_) continue;
      for (std::size_t v = 0; v < width; ++v) out.put(m.pending[row * width + v]);
    }
  }
}

template <class Real>
void Network<Real>::unpack_exchange(Step t, int from, ByteReader& in) {
  const std::size_t first = static_cast<std::size_t>(from) * threads_;
  for (auto& lists : events_[t % 2]) {
    for (std::size_t k = 0; k < threads_; ++k) lists[first + k].reset(t);
    const auto non_empty = in.get<std::uint32_t>();
    for (std::uint32_t n = 0; n < non_empty; ++n) {
      const auto k = in.get<std::uint32_t>();
      if (k >= threads_) throw CommError("a message between ranks names an unknown thread");
      EventList& events = lists[first + k];
      in.get_into(events.spikes);
      in.get_into(events.multiplicity);
      in.get_into(events.flushes);
    }
  }
  for (std::size_t p = 0; p < populations.size(); ++p) {
    const Range theirs = rank_range(p, from);
    std::visit(
        [&](auto& pop) {
          if constexpr (requires { pop.exchanged_signals(); }) {
            for (std::span<Real> values : pop.exchanged_signals()) {
              in.get_exactly(values.subspan(theirs.begin, theirs.end - theirs.begin));
            }
          }
        },
        populations[p]);
  }
  for (MultimeterState& m : multimeters) {
    if (m.pending_step != t) continue;
    const std::size_t width = m.variables.size();
    for (std::size_t row = 0; row < m.neurons.size(); ++row) {
      if (owner_rank(m.population, m.neurons[row]) != from) continue;
      for (std::size_t v = 0; v < width; ++v) m.pending[row * width + v] = in.get<double>();
    }
  }
}

#define EPROP_INSTANTIATE_EXCHANGE(Real)                                           \
  template Range Network<Real>::rank_range(std::size_t, int) const;                 \
  template int Network<Real>::owner_rank(std::size_t, std::size_t) const;           \
  template void Network<Real>::exchange(Step);                                      \
  template void Network<Real>::shard_signal_targets();                              \
  template void Network<Real>::pack_exchange(Step, ByteWriter&);                    \
  template void Network<Real>::unpack_exchange(Step, int, ByteReader&);
EPROP_INSTANTIATE_EXCHANGE(float)
EPROP_INSTANTIATE_EXCHANGE(double)
#undef EPROP_INSTANTIATE_EXCHANGE

}  // namespace eprop
