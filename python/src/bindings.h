#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

namespace eprop::python {

void bind_spec(pybind11::module_& m);
void bind_simulation(pybind11::module_& m);
void bind_training(pybind11::module_& m);
void bind_random(pybind11::module_& m);
void bind_bench(pybind11::module_& m);

/// A numpy array that takes over the vector's buffer (no copy): the array owns the vector.
template <class T>
pybind11::array_t<T> to_numpy(std::vector<T>&& values) {
  auto* owned = new std::vector<T>(std::move(values));
  pybind11::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return pybind11::array_t<T>(static_cast<pybind11::ssize_t>(owned->size()), owned->data(), owner);
}

}  // namespace eprop::python
