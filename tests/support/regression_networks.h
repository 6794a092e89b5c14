#pragma once

// The networks of NEST's event-driven reference tests (SPEC 13.2 and 13.3), as NetworkSpecs in
// double precision. The reference numbers themselves live in tests/reference/, next to their
// provenance.

#include <string_view>

#include "eprop/spec.h"
#include "tasks/sine_task.h"

namespace eprop::test_support {

/// SPEC 13.2 (test_eprop_plasticity.py::test_eprop_regression): the sine task with sequence 100,
/// 5 iterations, per-step optimisation, surrogate width 0.03, no final-update spike.
/// `model` is one of the four event-driven recurrent models, `optimizer` "adam" or
/// "gradient_descent".
[[nodiscard]] tasks::SineTaskConfig regression_config(std::string_view model,
                                                      std::string_view optimizer);
[[nodiscard]] NetworkSpec regression_network(std::string_view model, std::string_view optimizer);

/// SPEC 13.3 (test_eprop_surrogate_gradients): one eprop_iaf driven through a parrot by spikes
/// at 1, 2, 3, 5, 9, 11 ms; multimeter (surrogate_gradient, V_m) on it; simulate = {20}.
[[nodiscard]] NetworkSpec surrogate_network(std::string_view surrogate_gradient_function);

}  // namespace eprop::test_support
