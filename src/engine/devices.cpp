#include "engine/devices.h"

namespace eprop {

SpikeGeneratorPopulation::SpikeGeneratorPopulation(std::string name,
                                                   std::vector<std::vector<Step>> spike_steps)
    : name_(std::move(name)), spikes_(std::move(spike_steps)), cursor_(spikes_.size(), 0) {
  refresh_next();
}

void SpikeGeneratorPopulation::update(Step t, Range r, EventList& out) {
  for (std::size_t j = r.begin; j < r.end; ++j) {
    if (next_[j] > t + 1) continue;
    const auto& times = spikes_[j];
    std::size_t& c = cursor_[j];
    while (c < times.size() && times[c] < t + 1) ++c;  // times before the first run are skipped
    std::uint32_t count = 0;
    while (c < times.size() && times[c] == t + 1) {
      ++count;
      ++c;
    }
    if (count > 0) out.add_spike(static_cast<LocalIndex>(j), count);
    next_[j] = c < times.size() ? times[c] : kNeverSteps;
  }
}

void SpikeGeneratorPopulation::set_spike_steps(std::vector<std::vector<Step>> spike_steps,
                                               Step now) {
  spikes_ = std::move(spike_steps);
  // Spike time T is emitted in loop time T - 1: anything with T - 1 < now has passed.
  for (std::size_t j = 0; j < spikes_.size(); ++j) {
    std::size_t c = 0;
    while (c < spikes_[j].size() && spikes_[j][c] <= now) ++c;
    cursor_[j] = c;
  }
  refresh_next();
}

void SpikeGeneratorPopulation::refresh_next() {
  next_.resize(spikes_.size());
  for (std::size_t j = 0; j < spikes_.size(); ++j) {
    next_[j] = cursor_[j] < spikes_[j].size() ? spikes_[j][cursor_[j]] : kNeverSteps;
  }
}

ParrotPopulation::ParrotPopulation(std::string name, std::size_t n, Step flush_interval_steps)
    : input(n, 1),
      name_(std::move(name)),
      flush_interval_steps_(flush_interval_steps),
      next_flush_(n, kNeverSteps) {}

// A parrot sends a flush event flush_interval_steps after its last event (spike or flush); one
// whose last spike came at loop time 0 never flushes, as in the earlier bookkeeping by last
// event time (0 meant "none").
void ParrotPopulation::update(Step t, Range r, EventList& out) {
  const std::uint32_t* arrived = input.at(t);
  const Step next = t > 0 ? t + flush_interval_steps_ : kNeverSteps;
  for (std::size_t j = r.begin; j < r.end; ++j) {
    if (arrived[j] > 0) {
      out.add_spike(static_cast<LocalIndex>(j), arrived[j]);
      next_flush_[j] = next;
    } else if (next_flush_[j] <= t) {
      out.flushes.push_back(static_cast<LocalIndex>(j));
      next_flush_[j] = next;
    }
  }
  input.clear(t, r);
}

template <class Real>
StepRateGeneratorPopulation<Real>::StepRateGeneratorPopulation(
    std::string name, std::vector<std::vector<Step>> times, std::vector<std::vector<Real>> values)
    : name_(std::move(name)),
      times_(std::move(times)),
      values_(std::move(values)),
      cursor_(times_.size(), 0),
      amplitude_(times_.size(), Real(0)) {}

template <class Real>
void StepRateGeneratorPopulation<Real>::update(Step t, Range r, EventList& /*out*/) {
  for (std::size_t j = r.begin; j < r.end; ++j) {
    std::size_t& c = cursor_[j];
    while (c < times_[j].size() && times_[j][c] <= t + 1) {
      amplitude_[j] = values_[j][c];
      ++c;
    }
  }
}

template <class Real>
void StepRateGeneratorPopulation<Real>::set_schedule(std::vector<std::vector<Step>> times,
                                                     std::vector<std::vector<Real>> values,
                                                     Step now) {
  times_ = std::move(times);
  values_ = std::move(values);
  // Switch time A takes effect in loop time A - 1: times up to now have passed.
  for (std::size_t j = 0; j < times_.size(); ++j) {
    std::size_t c = 0;
    while (c < times_[j].size() && times_[j][c] <= now) ++c;
    cursor_[j] = c;
  }
}

template class StepRateGeneratorPopulation<float>;
template class StepRateGeneratorPopulation<double>;

}  // namespace eprop
