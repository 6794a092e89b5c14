#pragma once

// The N-MNIST file reader (io/nmnist.h) behind the training layer's loader interface
// (tasks::NmnistOpener). Header-only so that io does not link tasks; the front ends (CLI,
// Python) that link both pass it to tasks::TrainOptions::open_nmnist.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "io/nmnist.h"
#include "tasks/training.h"

namespace eprop::io {

inline tasks::NmnistDataset open_nmnist_dataset(const std::string& root, std::int64_t sequence,
                                                bool all_pixels) {
  auto train = std::make_shared<NmnistSplitListing>(list_nmnist_split(root, "Train"));
  auto test = std::make_shared<NmnistSplitListing>(list_nmnist_split(root, "Test"));
  tasks::NmnistDataset d;
  d.n_train = train->samples.size();
  d.n_test = test->samples.size();
  d.source = [train, test, sequence, all_pixels](tasks::NmnistSplit split, std::size_t index) {
    const auto& listing = split == tasks::NmnistSplit::train ? *train : *test;
    const NmnistSampleFile& file = listing.samples.at(index);
    NmnistSampleSpikes spikes = load_nmnist_sample(file.path, sequence, all_pixels);
    return tasks::NmnistSample{file.label, std::move(spikes.steps)};
  };
  return d;
}

}  // namespace eprop::io
